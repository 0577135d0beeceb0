// Builds DOM nodes without HTML parsing: text always goes through text nodes, so data from
// messages can never become markup, script or inline style.

export type Child = Node | string | number | false | null | undefined;

export type Attributes = Record<string, string | number | boolean | undefined>;

/**
 * Creates an element with attributes and children. `false` and `undefined` attribute values
 * leave the attribute out and `true` sets it empty. Event handler and `style` attributes are
 * rejected, because the Content-Security-Policy blocks them and they would fail silently.
 */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Attributes = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);

  for (const [name, value] of Object.entries(attributes)) {
    if (name === 'style' || name.toLowerCase().startsWith('on')) {
      throw new Error(`Attribute "${name}" is not allowed; set styles through element.style and handlers with addEventListener.`);
    }
    if (value === undefined || value === false) continue;
    element.setAttribute(name, value === true ? '' : String(value));
  }

  append(element, children);
  return element;
}

export function append(parent: Node, children: Child[]): void {
  for (const child of children) {
    if (child === false || child === null || child === undefined) continue;
    parent.appendChild(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
}

/**
 * Sets a CSS custom property that the stylesheet turns into a width, height or opacity. Setting
 * it through the CSSOM is allowed under the Content-Security-Policy, unlike a `style` attribute.
 * Values that are not finite become 0.
 */
export function setCssNumber(element: HTMLElement, property: `--${string}`, value: number): void {
  element.style.setProperty(property, String(Number.isFinite(value) ? value : 0));
}
