// The admin's rich text editor: every <textarea data-rich-text="{labels as JSON}"> becomes a
// TipTap editor (headings, bold, italic, lists, quotes, links, images of the media library).
//
// The textarea stays in the form, hidden, and always holds the editor's HTML, so the form posts
// as before (and works without JavaScript). The server cleans the HTML with an allow-list
// (application/classes/rich_text.py): nothing here is trusted. No inline script and no inline
// style: TipTap's own <style> injection is off, the look is in editor.css.
import { Editor } from "@tiptap/core";
import StarterKit from "@tiptap/starter-kit";
import Image from "@tiptap/extension-image";

const DEFAULT_LABELS = {
  toolbar: "Formatting",
  paragraph: "Paragraph",
  heading2: "H2 heading",
  heading3: "H3 subheading",
  bold: "Bold",
  italic: "Italic",
  bulletList: "Bullet list",
  orderedList: "Numbered list",
  blockquote: "Quote",
  link: "Link",
  image: "Image",
  undo: "Undo",
  redo: "Redo",
  linkPrompt: "Link address (https://…, mailto:… or /path on this site); empty removes the link",
  linkBad: "Use an address starting with https://, http://, mailto: or /",
  imagePrompt: "Address of an image of the media library (/media/…)",
  imageBad: "Only images of this site's media library (/media/…) can be put in a text",
  altPrompt: "Alternative text (what the image shows)",
  ok: "OK",
  cancel: "Cancel",
};

// Icons drawn with strokes on a 24×24 grid (paths of our own), for the buttons without a letter.
const ICONS = {
  "bullet-list": ["M9 6h11", "M9 12h11", "M9 18h11", "M4 6h.01", "M4 12h.01", "M4 18h.01"],
  "ordered-list": ["M10 6h10", "M10 12h10", "M10 18h10", "M4 4v4", "M3 18h3l-3 3h3", "M3.5 11.5a1.5 1.5 0 0 1 2.5 1l-3 2.5h3"],
  blockquote: ["M5 17h4l1-5V6H4v6h3z", "M14 17h4l1-5V6h-6v6h3z"],
  link: ["M10 14a4 4 0 0 0 5.7 0l3-3a4 4 0 0 0-5.7-5.7l-1 1", "M14 10a4 4 0 0 0-5.7 0l-3 3a4 4 0 0 0 5.7 5.7l1-1"],
  image: ["M4 5h16v14H4z", "M4 16l5-5 4 4 2-2 5 5", "M15 9h.01"],
  undo: ["M9 14L4 9l5-5", "M4 9h10a6 6 0 0 1 0 12h-3"],
  redo: ["M15 14l5-5-5-5", "M20 9H10a6 6 0 0 0 0 12h3"],
};

function icon(name) {
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", "20");
  svg.setAttribute("height", "20");
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "2");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  for (const d of ICONS[name]) {
    const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

const inBlock = (e) => e.isActive("bulletList") || e.isActive("orderedList") || e.isActive("blockquote");

// [name, label key, text shown (null: its icon), is it active? (null: a plain button), run]
const BUTTONS = [
  ["paragraph", "paragraph", "¶", (e) => e.isActive("paragraph") && !inBlock(e), (c) => c.setParagraph()],
  ["h2", "heading2", "H2", (e) => e.isActive("heading", { level: 2 }), (c) => c.toggleHeading({ level: 2 })],
  ["h3", "heading3", "H3", (e) => e.isActive("heading", { level: 3 }), (c) => c.toggleHeading({ level: 3 })],
  null,
  ["bold", "bold", "B", (e) => e.isActive("bold"), (c) => c.toggleBold()],
  ["italic", "italic", "I", (e) => e.isActive("italic"), (c) => c.toggleItalic()],
  null,
  ["bullet-list", "bulletList", null, (e) => e.isActive("bulletList"), (c) => c.toggleBulletList()],
  ["ordered-list", "orderedList", null, (e) => e.isActive("orderedList"), (c) => c.toggleOrderedList()],
  ["blockquote", "blockquote", null, (e) => e.isActive("blockquote"), (c) => c.toggleBlockquote()],
  null,
  ["link", "link", null, (e) => e.isActive("link"), null],
  ["image", "image", null, null, null],
  null,
  ["undo", "undo", null, null, (c) => c.undo()],
  ["redo", "redo", null, null, (c) => c.redo()],
];

const MEDIA = /^\/media\/[A-Za-z0-9][A-Za-z0-9._-]*$/;
const LINK = /^(https?:\/\/|mailto:|\/(?!\/))/i;

function readLabels(textarea) {
  try {
    return { ...DEFAULT_LABELS, ...JSON.parse(textarea.dataset.richText || "{}") };
  } catch {
    return DEFAULT_LABELS;
  }
}

// An absolute address of this site as its path; any other address as given.
function sitePath(address) {
  try {
    const url = new URL(address);
    if (url.origin === window.location.origin) return url.pathname + url.search + url.hash;
  } catch {
    // not an absolute address: as given
  }
  return address;
}

// One small modal form (a <dialog>) for the link and image addresses; resolves to the values
// typed, or null when cancelled.
function ask(labels, fields) {
  return new Promise((resolve) => {
    const dialog = document.createElement("dialog");
    dialog.className = "rte-dialog";
    const form = document.createElement("form");
    form.method = "dialog";
    const inputs = fields.map(({ label, value, check, problem }, index) => {
      const id = `rte-dialog-${Date.now()}-${index}`;
      const field = document.createElement("p");
      const name = document.createElement("label");
      name.htmlFor = id;
      name.textContent = label;
      const input = document.createElement("input");
      input.id = id;
      input.type = "text";
      input.value = value || "";
      input.autocomplete = "off";
      input.addEventListener("input", () => input.setCustomValidity(""));
      field.append(name, input);
      form.append(field);
      return { input, check, problem };
    });
    const actions = document.createElement("p");
    actions.className = "rte-dialog-actions";
    const ok = document.createElement("button");
    ok.type = "submit";
    ok.className = "button primary";
    ok.textContent = labels.ok;
    const cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = "button";
    cancel.textContent = labels.cancel;
    actions.append(ok, cancel);
    form.append(actions);
    dialog.append(form);
    document.body.append(dialog);
    let answer = null;
    form.addEventListener("submit", (event) => {
      for (const { input, check, problem } of inputs) {
        const text = input.value.trim();
        if (check && !check(text)) {
          event.preventDefault();
          input.setCustomValidity(problem);
          input.reportValidity();
          return;
        }
      }
      answer = inputs.map(({ input }) => input.value.trim());
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      resolve(answer);
    });
    dialog.showModal();
    inputs[0].input.select();
  });
}

async function editLink(editor, labels) {
  const current = editor.getAttributes("link").href || "";
  const answer = await ask(labels, [
    {
      label: labels.linkPrompt,
      value: current,
      check: (text) => text === "" || LINK.test(sitePath(text)),
      problem: labels.linkBad,
    },
  ]);
  if (answer === null) {
    editor.commands.focus();
    return;
  }
  const href = answer[0] ? sitePath(answer[0]) : "";
  const chain = editor.chain().focus().extendMarkRange("link");
  (href ? chain.setLink({ href }) : chain.unsetLink()).run();
}

// The media library's picker (public/js/media.js, module admin.media) when the page has it;
// else a dialog asking for the address of a media library image.
async function insertImage(editor, labels, locale) {
  const picker = window.JetpyMedia;
  if (picker && document.querySelector("[data-media-picker-url]:not([data-media-picker-url=\"\"])")) {
    const item = await picker.pick({ kind: "image" });
    if (item && MEDIA.test(sitePath(item.url))) {
      const alt = (item.alts && item.alts[locale]) || item.alt || "";
      editor.chain().focus().setImage({ src: largestRendition(item), alt }).run();
    } else {
      editor.commands.focus();
    }
    return;
  }
  const answer = await ask(labels, [
    {
      label: labels.imagePrompt,
      value: "",
      check: (text) => MEDIA.test(sitePath(text)),
      problem: labels.imageBad,
    },
    { label: labels.altPrompt, value: "" },
  ]);
  if (answer === null) {
    editor.commands.focus();
    return;
  }
  editor.chain().focus().setImage({ src: sitePath(answer[0]), alt: answer[1] }).run();
}

// The widest rendition of a picked image up to MAX_WIDTH pixels (its srcset), else the original.
const MAX_WIDTH = 1280;
function largestRendition(item) {
  let best = sitePath(item.url);
  let bestWidth = 0;
  for (const candidate of (item.srcset || "").split(",")) {
    const [url, width] = candidate.trim().split(/\s+/);
    const pixels = Number.parseInt(width, 10);
    if (url && pixels > bestWidth && pixels <= MAX_WIDTH && MEDIA.test(sitePath(url))) {
      best = sitePath(url);
      bestWidth = pixels;
    }
  }
  return best;
}

function setUp(textarea) {
  const labels = readLabels(textarea);
  const locale = (textarea.name.match(/_([a-z]{2,3}_[A-Z]{2})$/) || [])[1] || "";
  const wrapper = document.createElement("div");
  wrapper.className = "rte";
  const toolbar = document.createElement("div");
  toolbar.className = "rte-toolbar";
  toolbar.setAttribute("role", "toolbar");
  toolbar.setAttribute("aria-label", labels.toolbar);
  const area = document.createElement("div");
  area.className = "rte-area";
  wrapper.append(toolbar, area);
  textarea.after(wrapper);
  textarea.hidden = true;

  const label = textarea.id ? document.querySelector(`label[for="${CSS.escape(textarea.id)}"]`) : null;
  const attributes = {
    class: "rte-content",
    role: "textbox",
    "aria-multiline": "true",
    id: `${textarea.id}-editor`,
  };
  if (label) {
    label.id = label.id || `${textarea.id}-label`;
    attributes["aria-labelledby"] = label.id;
    // a click on the label focuses the editor, as it would the textarea
    label.addEventListener("click", (event) => {
      event.preventDefault();
      editor.commands.focus();
    });
  }
  const described = textarea.getAttribute("aria-describedby");
  if (described) attributes["aria-describedby"] = described;
  if (textarea.getAttribute("aria-invalid") === "true") attributes["aria-invalid"] = "true";

  const editor = new Editor({
    element: area,
    injectCSS: false, // no <style> element: the look is in editor.css (CSP style-src 'self')
    extensions: [
      StarterKit.configure({
        heading: { levels: [2, 3, 4] },
        code: false,
        codeBlock: false,
        strike: false,
        underline: false,
        horizontalRule: false,
        link: {
          openOnClick: false,
          autolink: true,
          protocols: ["mailto"],
          HTMLAttributes: { target: null, rel: null, class: null },
          isAllowedUri: (url) => LINK.test(url),
        },
      }),
      Image.configure({ inline: false, allowBase64: false }),
    ],
    content: textarea.value,
    editorProps: { attributes },
    onUpdate: ({ editor: changed }) => {
      textarea.value = changed.isEmpty ? "" : changed.getHTML();
      textarea.dispatchEvent(new Event("input", { bubbles: true }));
    },
  });

  const buttons = [];
  for (const spec of BUTTONS) {
    if (spec === null) {
      const gap = document.createElement("span");
      gap.className = "rte-separator";
      gap.setAttribute("aria-hidden", "true");
      toolbar.append(gap);
      continue;
    }
    const [name, key, text, isActive, run] = spec;
    const button = document.createElement("button");
    button.type = "button";
    button.className = `rte-button rte-${name}`;
    button.dataset.command = name;
    button.title = labels[key];
    button.setAttribute("aria-label", labels[key]);
    if (text === null) button.append(icon(name));
    else button.textContent = text;
    if (isActive !== null) button.setAttribute("aria-pressed", "false");
    button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
    button.addEventListener("click", () => {
      if (name === "link") editLink(editor, labels);
      else if (name === "image") insertImage(editor, labels, locale);
      else run(editor.chain().focus()).run();
    });
    toolbar.append(button);
    buttons.push([button, isActive, name]);
  }

  const refresh = () => {
    for (const [button, isActive, name] of buttons) {
      if (button.hasAttribute("aria-pressed")) {
        button.setAttribute("aria-pressed", String(Boolean(isActive(editor))));
      }
      if (name === "undo") button.disabled = !editor.can().undo();
      if (name === "redo") button.disabled = !editor.can().redo();
    }
  };
  editor.on("transaction", refresh);
  editor.on("focus", () => wrapper.classList.add("rte-focused"));
  editor.on("blur", () => wrapper.classList.remove("rte-focused"));
  refresh();

  // the textarea holds the latest HTML whatever happens before the form is sent
  textarea.form?.addEventListener("submit", () => {
    textarea.value = editor.isEmpty ? "" : editor.getHTML();
  });
  textarea.richTextEditor = editor;
  return editor;
}

function setUpAll() {
  for (const textarea of document.querySelectorAll("textarea[data-rich-text]")) {
    if (!textarea.richTextEditor) setUp(textarea);
  }
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setUpAll);
else setUpAll();
