// jetpy studio: drag and drop for the page tree and for the contents of a page.
// Every change is sent as an ordinary form POST (the server validates it and redirects back).
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  setUpTree();
  setUpContents();
});

function setUpTree() {
  const tree = document.getElementById("tree");
  const form = document.getElementById("move-form");
  if (!tree || !form) return;
  let dragged = null;

  tree.addEventListener("dragstart", (event) => {
    const node = event.target.closest("li[draggable=true]");
    if (!node) return;
    dragged = node;
    node.classList.add("is-dragged");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", node.dataset.path);
  });
  tree.addEventListener("dragend", () => {
    if (dragged) dragged.classList.remove("is-dragged");
    tree.querySelectorAll(".is-drop-target").forEach((el) => el.classList.remove("is-drop-target"));
    dragged = null;
  });
  tree.addEventListener("dragover", (event) => {
    const target = dropTarget(event.target);
    if (!dragged || !target || dragged.contains(target)) return;
    event.preventDefault();
    tree.querySelectorAll(".is-drop-target").forEach((el) => el.classList.remove("is-drop-target"));
    target.classList.add("is-drop-target");
  });
  tree.addEventListener("drop", (event) => {
    const target = dropTarget(event.target);
    if (!dragged || !target || dragged.contains(target)) return;
    event.preventDefault();
    let parent;
    let index;
    if (target.dataset.dropInto !== undefined) {
      parent = target.dataset.dropInto;
      const node = target.closest("li");
      index = childNodes(node).filter((li) => li !== dragged).length;
    } else {
      const node = target.closest("li");
      const parentNode = node.parentElement.closest("li");
      parent = parentNode ? parentNode.dataset.path : "";
      index = childNodes(parentNode).filter((li) => li !== dragged).indexOf(node);
    }
    form.elements.page.value = dragged.dataset.path;
    form.elements.parent.value = parent;
    form.elements.index.value = String(Math.max(index, 0));
    form.submit();
  });
}

function dropTarget(element) {
  if (!(element instanceof Element)) return null;
  return element.closest("[data-drop-into]") || element.closest(".tree-row");
}

function childNodes(node) {
  const list = node ? node.querySelector(":scope > ul") : null;
  return list ? Array.from(list.children) : [];
}

function setUpContents() {
  const form = document.getElementById("contents-form");
  const drawing = document.querySelector(".layout-drawing");
  if (!form || !drawing) return;
  let dragged = null;

  const save = () => {
    const items = [];
    drawing.querySelectorAll("ol.content-list").forEach((list) => {
      list.querySelectorAll(".content-card").forEach((card) => {
        // listed in the order shown: explicit `order` numbers are no longer needed
        items.push({ index: Number(card.dataset.index), position: list.dataset.position, order: null });
      });
    });
    document.getElementById("contents-json").value = JSON.stringify(items);
    form.submit();
  };

  drawing.addEventListener("click", (event) => {
    const button = event.target.closest("button");
    if (!button) return;
    const card = button.closest(".content-card");
    if (!card) return;
    if (button.dataset.remove !== undefined) {
      card.remove();
      save();
    } else if (button.dataset.move) {
      const step = Number(button.dataset.move);
      const sibling = step < 0 ? card.previousElementSibling : card.nextElementSibling;
      if (!sibling) return;
      if (step < 0) sibling.before(card);
      else sibling.after(card);
      save();
    }
  });
  drawing.addEventListener("change", (event) => {
    const select = event.target.closest("[data-position-select]");
    if (!select) return;
    const list = drawing.querySelector(`ol.content-list[data-position="${CSS.escape(select.value)}"]`);
    if (list) {
      list.append(select.closest(".content-card"));
      save();
    }
  });
  drawing.addEventListener("dragstart", (event) => {
    dragged = event.target.closest(".content-card");
    if (dragged) event.dataTransfer.effectAllowed = "move";
  });
  drawing.addEventListener("dragover", (event) => {
    if (dragged && event.target.closest(".position")) event.preventDefault();
  });
  drawing.addEventListener("drop", (event) => {
    const position = event.target.closest(".position");
    const list = position ? position.querySelector("ol.content-list") : null;
    if (!dragged || !list) return;
    event.preventDefault();
    const before = event.target.closest(".content-card");
    if (before && before !== dragged) before.before(dragged);
    else list.append(dragged);
    dragged = null;
    save();
  });
}

// the CRUD wizard: "Add a field" copies the last row with its numbers moved on
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-add-row]");
  if (!button) return;
  const body = document.getElementById(button.dataset.addRow);
  const last = body.lastElementChild;
  const row = last.cloneNode(true);
  const next = body.children.length;
  row.querySelectorAll("[id], [name], [for]").forEach((el) => {
    for (const attribute of ["id", "name", "for"]) {
      const value = el.getAttribute(attribute);
      if (value && attribute !== "name") el.setAttribute(attribute, value.replace(/_\d+$/, `_${next}`));
      if (value && attribute === "name" && value !== "field_name") el.setAttribute(attribute, value.replace(/_\d+$/, `_${next}`));
    }
    if (el.tagName === "INPUT" && el.type !== "checkbox") el.value = el.name.startsWith("field_size") ? "200" : "";
  });
  row.querySelectorAll(".visually-hidden").forEach((el) => { el.textContent = el.textContent.replace(/\d+/, String(next + 1)); });
  body.append(row);
  row.querySelector("input").focus();
});
