/** A strict little XML well-formedness check for tests: balanced tags, quoted attributes, known entities. */

const NAME = '[A-Za-z_:][-A-Za-z0-9_:.]*';
const ATTRIBUTE = new RegExp(`^\\s+(${NAME})\\s*=\\s*("[^"<]*"|'[^'<]*')`);
const ENTITY = /&(?:#\d+|#x[0-9a-fA-F]+|amp|lt|gt|quot|apos);/y;

function checkText(text: string, at: number): void {
  for (let index = text.indexOf('&'); index >= 0; index = text.indexOf('&', index + 1)) {
    ENTITY.lastIndex = index;
    if (!ENTITY.test(text))
      throw new Error(`bad entity reference near offset ${at + index}: ${text.slice(index, index + 12)}`);
  }
  if (text.includes('<')) throw new Error(`stray '<' near offset ${at}`);
}

/** Throws an Error describing the first problem; returns the root element's name. */
export function assertWellFormedXml(xml: string): string {
  const stack: string[] = [];
  let root: string | undefined;
  let position = 0;
  while (position < xml.length) {
    const open = xml.indexOf('<', position);
    if (open < 0) {
      checkText(xml.slice(position), position);
      break;
    }
    checkText(xml.slice(position, open), position);
    if (xml.startsWith('<!--', open)) {
      const end = xml.indexOf('-->', open);
      if (end < 0) throw new Error('unterminated comment');
      position = end + 3;
      continue;
    }
    if (xml.startsWith('<![CDATA[', open)) {
      const end = xml.indexOf(']]>', open);
      if (end < 0) throw new Error('unterminated CDATA');
      position = end + 3;
      continue;
    }
    if (xml.startsWith('<?', open)) {
      const end = xml.indexOf('?>', open);
      if (end < 0) throw new Error('unterminated processing instruction');
      position = end + 2;
      continue;
    }
    if (xml.startsWith('</', open)) {
      const match = new RegExp(`^</(${NAME})\\s*>`).exec(xml.slice(open));
      if (!match) throw new Error(`bad closing tag at offset ${open}`);
      const expected = stack.pop();
      if (expected !== match[1]) throw new Error(`</${match[1]}> at offset ${open} closes <${expected ?? 'nothing'}>`);
      position = open + match[0].length;
      continue;
    }
    const nameMatch = new RegExp(`^<(${NAME})`).exec(xml.slice(open));
    if (!nameMatch) throw new Error(`bad tag at offset ${open}: ${xml.slice(open, open + 20)}`);
    const name = nameMatch[1]!;
    if (stack.length === 0) {
      if (root !== undefined) throw new Error(`second root element <${name}> at offset ${open}`);
      root = name;
    }
    let rest = xml.slice(open + nameMatch[0].length);
    let consumed = open + nameMatch[0].length;
    const seen = new Set<string>();
    for (;;) {
      const attribute = ATTRIBUTE.exec(rest);
      if (!attribute) break;
      if (seen.has(attribute[1]!)) throw new Error(`repeated attribute ${attribute[1]} on <${name}> at offset ${open}`);
      seen.add(attribute[1]!);
      checkText(attribute[2]!.slice(1, -1), consumed);
      rest = rest.slice(attribute[0].length);
      consumed += attribute[0].length;
    }
    const end = /^\s*(\/?)>/.exec(rest);
    if (!end) throw new Error(`malformed tag <${name}> at offset ${open}: ${rest.slice(0, 30)}`);
    if (end[1] !== '/') stack.push(name);
    position = consumed + end[0].length;
  }
  if (stack.length > 0) throw new Error(`unclosed <${stack.at(-1)}>`);
  if (root === undefined) throw new Error('no root element');
  return root;
}
