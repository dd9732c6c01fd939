/**
 * The element's base class: Lit's templates (lit-html's `render`) on a small reactive custom element
 * that hosts Lit `ReactiveController`s the way LitElement does: `hostConnected`, `hostUpdate` (before
 * each render), `hostUpdated` (after it), `hostDisconnected`; updates batched into one asynchronous
 * render (`requestUpdate`, `updateComplete`); reactive properties with String or Boolean attributes;
 * styles adopted as constructable stylesheets.
 *
 * Why not LitElement: its ReactiveElement, css-tag and LitElement modules are 3.2 KB gzip, a quarter
 * of the 12 KB the whole script-tag entry may take (see bench/README.md, "Script-tag size"); this is
 * about 0.6 KB. What it leaves out, because the element needs none of it: reflecting properties to
 * attributes, other attribute converters, decorators, `changedProperties`, `shouldUpdate`/`updated`.
 *
 * Safe to import without a DOM (server-side rendering, Node): it defines nothing until a subclass is
 * registered.
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';
import { render, type TemplateResult } from 'lit/html.js';

/** A reactive property: its attribute (default: the lower-cased name; `false`: none) and type. */
export interface PropertyOptions {
  attribute?: string | false;
  /** `Boolean`: present means true. Otherwise the attribute's value (a string, or null once removed). */
  type?: BooleanConstructor;
}

/** Marks a template literal as CSS (the build minifies these, see scripts/minify-templates.mjs). */
export const css = (strings: TemplateStringsArray): string => strings.join('');

const sheets = new Map<string, CSSStyleSheet>();

/**
 * Adds stylesheets (CSS text) to a shadow root: constructable stylesheets (no `<style>` element, so a
 * strict `style-src` needs nothing), or, in a browser without them, `<style>` elements carrying
 * `window.litNonce` as Lit's do.
 */
export function addStyles(root: ShadowRoot, styles: readonly string[]): void {
  if ('adoptedStyleSheets' in root) {
    const added = styles.map((text) => {
      let sheet = sheets.get(text);
      if (!sheet) {
        sheet = new CSSStyleSheet();
        sheet.replaceSync(text);
        sheets.set(text, sheet);
      }
      return sheet;
    });
    root.adoptedStyleSheets = [...root.adoptedStyleSheets, ...added];
    return;
  }
  for (const text of styles) {
    const style = document.createElement('style');
    const nonce = (globalThis as { litNonce?: string }).litNonce;
    if (nonce) style.nonce = nonce;
    style.textContent = text;
    (root as ParentNode).append(style);
  }
}

// Server-side (no DOM), the class still has to be definable.
const Base = (globalThis.HTMLElement ?? class {}) as typeof HTMLElement;

export abstract class ReactiveBase extends Base implements ReactiveControllerHost {
  /** The reactive properties, by name. */
  static properties: Record<string, PropertyOptions> = {};
  /** CSS adopted by each element's shadow root. */
  static styles: readonly string[] = [];

  /** Attribute name → property name; built with the accessors, once per class. */
  private static attributes: Map<string, string> | undefined;

  static get observedAttributes(): string[] {
    if (!Object.prototype.hasOwnProperty.call(this, 'attributes')) {
      this.attributes = new Map();
      for (const [name, options] of Object.entries(this.properties)) {
        if (options.attribute !== false) this.attributes.set(options.attribute ?? name.toLowerCase(), name);
        if (!(name in this.prototype)) {
          Object.defineProperty(this.prototype, name, {
            get(this: ReactiveBase) {
              return this.#values.get(name);
            },
            set(this: ReactiveBase, value: unknown) {
              if (Object.is(this.#values.get(name), value)) return;
              this.#values.set(name, value);
              this.requestUpdate();
            },
            configurable: true,
            enumerable: true,
          });
        }
      }
    }
    return [...this.attributes!.keys()];
  }

  /** The shadow root the element renders into (once connected). */
  renderRoot!: ShadowRoot;
  /** Whether the element has rendered at least once. */
  hasUpdated = false;

  readonly #values = new Map<string, unknown>();
  /** Values set on the element before it was upgraded: applied at the first update. */
  readonly #early = new Map<string, unknown>();
  readonly #controllers = new Set<ReactiveController>();
  #pending = false;
  #enable!: () => void;
  readonly #enabled = new Promise<void>((resolve) => (this.#enable = resolve));
  #complete: Promise<boolean> = Promise.resolve(true);

  constructor() {
    super();
    const type = this.constructor as typeof ReactiveBase;
    void type.observedAttributes; // the accessors exist before the subclass's fields are set
    for (const name of Object.keys(type.properties)) {
      if (Object.prototype.hasOwnProperty.call(this, name)) {
        this.#early.set(name, this[name as keyof this]);
        delete this[name as keyof this];
      }
    }
    this.requestUpdate();
  }

  /** What the element shows; rendered into `renderRoot` after each batch of changes. */
  protected abstract render(): TemplateResult;

  addController(controller: ReactiveController): void {
    this.#controllers.add(controller);
    if (this.renderRoot !== undefined && this.isConnected) controller.hostConnected?.();
  }

  removeController(controller: ReactiveController): void {
    this.#controllers.delete(controller);
  }

  /** Schedules one render (in a microtask, once connected); more calls before it add nothing. */
  requestUpdate(): void {
    if (this.#pending) return;
    this.#pending = true;
    this.#complete = this.#scheduled();
  }

  /** Resolves after the pending render (true when no other render was requested meanwhile). */
  get updateComplete(): Promise<boolean> {
    return this.#complete;
  }

  connectedCallback(): void {
    this.renderRoot ??= this.createRenderRoot();
    this.#enable();
    this.#controllers.forEach((c) => c.hostConnected?.());
  }

  disconnectedCallback(): void {
    this.#controllers.forEach((c) => c.hostDisconnected?.());
  }

  attributeChangedCallback(attribute: string, _old: string | null, value: string | null): void {
    const type = this.constructor as typeof ReactiveBase;
    const name = type.attributes!.get(attribute)!;
    (this as Record<string, unknown>)[name] = type.properties[name]!.type === Boolean ? value !== null : value;
  }

  protected createRenderRoot(): ShadowRoot {
    const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
    addStyles(root, (this.constructor as typeof ReactiveBase).styles);
    return root;
  }

  async #scheduled(): Promise<boolean> {
    await this.#enabled;
    this.#update();
    return !this.#pending;
  }

  #update(): void {
    if (!this.#pending) return;
    try {
      if (!this.hasUpdated) {
        for (const [name, value] of this.#early) (this as Record<string, unknown>)[name] = value;
        this.#early.clear();
      }
      this.#controllers.forEach((c) => c.hostUpdate?.());
      const value = this.render();
      this.#pending = false; // a change while rendering schedules the next render
      render(value, this.renderRoot, { host: this });
    } catch (error) {
      this.#pending = false;
      throw error;
    }
    this.#controllers.forEach((c) => c.hostUpdated?.());
    this.hasUpdated = true;
  }
}
