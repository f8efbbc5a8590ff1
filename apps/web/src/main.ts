/** The demo page: loads an exported model and classifies test images and drawings. */
const status = document.querySelector<HTMLParagraphElement>('#status');
if (status) status.textContent = 'Coming up.';
