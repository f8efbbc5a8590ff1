/** A pair of trousers as FashionMNIST draws them: 28x28 grey bytes, light on black (a waistband and two legs). */
export function trousers() {
  const image = new Uint8Array(784);
  for (let y = 2; y < 27; y++) for (const x of [9, 10, 11, 12, 15, 16, 17, 18]) image[y * 28 + x] = 220;
  for (let y = 2; y < 8; y++) for (let x = 9; x < 19; x++) image[y * 28 + x] = 220;
  return image;
}
