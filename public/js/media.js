// The media library's script (module admin.media; no inline script anywhere):
// - the library page (#media-upload): uploads each dropped or chosen file with a progress bar
//   and adds its card to the grid;
// - image fields ([data-media-field], the admin view media_field.html): choose, add and remove
//   images through the picker, writing their ids into the field;
// - window.JetpyMedia, for other editors (e.g. the rich-text editor):
//     JetpyMedia.pick({url: "/admin/media/?picker", kind: "image", uploadUrl: "/admin/media/?upload"})
//       → Promise of the chosen item {id, kind, name, url, thumbnail, srcset, width, height,
//         alt, alts} or null when the dialog is closed;
//     JetpyMedia.upload(uploadUrl, file, onProgress) → Promise of {items: [...], errors: [...]}.
//   The URLs default to the first [data-media-picker-url] / [data-media-upload-url] element's.
(function () {
  "use strict";

  var TEXTS = {
    title: "Choose an image", search: "Search", close: "Close", upload: "Upload a file",
    loading: "Loading…", nothing: "Nothing found.", previous: "Previous", next: "Next",
    page: "Page %(page)s of %(pages)s", failed: "The upload failed; try again.",
    tooLarge: "The file is too large.", uploaded: "Uploaded", remove: "Remove",
    forbidden: "You may not use the media library."
  };

  function texts(element) {
    var found = {};
    Object.keys(TEXTS).forEach(function (key) { found[key] = TEXTS[key]; });
    var holder = element && element.closest("[data-media-texts]");
    if (holder) {
      try {
        var given = JSON.parse(holder.getAttribute("data-media-texts"));
        Object.keys(given).forEach(function (key) { found[key] = given[key]; });
      } catch (error) { /* keep the English texts */ }
    }
    return found;
  }

  function element(tag, attributes, text) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (attributes[name] !== null && attributes[name] !== undefined) {
        node.setAttribute(name, attributes[name]);
      }
    });
    if (text) { node.textContent = text; }
    return node;
  }

  function csrfToken() {
    var field = document.querySelector('input[name="csrf_token"]');
    return field ? field.value : "";
  }

  function withQuery(url, query) {
    return url + (url.indexOf("?") < 0 ? "?" : "&") + new URLSearchParams(query).toString();
  }

  function defaultUrl(attribute) {
    var holder = document.querySelector("[" + attribute + "]");
    return holder ? holder.getAttribute(attribute) : "";
  }

  function upload(url, file, onProgress, words) {
    words = words || TEXTS;
    return new Promise(function (resolve) {
      var request = new XMLHttpRequest();
      var data = new FormData();
      data.append("csrf_token", csrfToken());
      data.append("files", file, file.name);
      request.open("POST", url || defaultUrl("data-media-upload-url"));
      request.setRequestHeader("Accept", "application/json");
      request.setRequestHeader("X-CSRF-Token", csrfToken());
      request.upload.addEventListener("progress", function (event) {
        if (event.lengthComputable && onProgress) { onProgress(event.loaded / event.total); }
      });
      request.addEventListener("load", function () {
        var answer = null;
        try { answer = JSON.parse(request.responseText); } catch (error) { answer = null; }
        if (!answer || !answer.items) {
          var message = request.status === 413 ? words.tooLarge
            : request.status === 403 ? words.forbidden : words.failed;
          answer = {items: [], errors: [message]};
        }
        resolve(answer);
      });
      request.addEventListener("error", function () { resolve({items: [], errors: [words.failed]}); });
      request.send(data);
    });
  }

  function thumbnail(item) {
    if (!item.thumbnail) { return element("span", {"class": "media-document", "aria-hidden": "true"}, "PDF"); }
    var width = Math.min(item.width || 320, 320);
    var height = item.width && item.height ? Math.round(item.height * width / item.width) : null;
    return element("img", {src: item.thumbnail, alt: item.alt || "", width: width, height: height,
      loading: "lazy", decoding: "async"});
  }

  // the library page -----------------------------------------------------------------------
  function libraryCard(item) {
    var card = element("li", {"class": "media-card", id: "media-item-" + item.id});
    var link = element("a", {"class": "media-thumb", href: item.edit || item.url});
    link.appendChild(thumbnail(item));
    link.appendChild(element("span", {"class": "media-name"}, item.name));
    card.appendChild(link);
    return card;
  }

  function setUpLibrary(form) {
    var words = texts(form);
    var input = form.querySelector('input[type="file"]');
    var drop = form.querySelector("[data-media-drop]");
    var list = form.querySelector("[data-media-progress]");
    var grid = document.querySelector("[data-media-grid]");
    var submit = form.querySelector("[data-media-submit]");
    if (submit) { submit.hidden = true; }

    function send(files) {
      var queue = Array.prototype.slice.call(files);
      var next = function () {
        var file = queue.shift();
        if (!file) { return; }
        var row = element("li", {"class": "media-progress-item"});
        row.appendChild(element("span", {"class": "media-name"}, file.name));
        var bar = element("progress", {max: "1", value: "0", "aria-label": file.name});
        row.appendChild(bar);
        list.appendChild(row);
        upload(form.getAttribute("action"), file, function (share) { bar.value = share; }, words)
          .then(function (answer) {
            bar.value = 1;
            answer.items.forEach(function (item) {
              row.appendChild(element("span", {"class": "media-done"}, words.uploaded));
              if (grid) {
                var empty = document.querySelector(".media-library .empty");
                if (empty) { empty.remove(); }
                grid.insertBefore(libraryCard(item), grid.firstChild);
              }
            });
            answer.errors.forEach(function (message) {
              row.classList.add("media-failed");
              row.appendChild(element("span", {"class": "field-error", role: "alert"}, message));
            });
            next();
          });
      };
      next();
    }

    input.addEventListener("change", function () { send(input.files); input.value = ""; });
    ["dragenter", "dragover"].forEach(function (name) {
      drop.addEventListener(name, function (event) { event.preventDefault(); drop.classList.add("dragging"); });
    });
    ["dragleave", "drop"].forEach(function (name) {
      drop.addEventListener(name, function () { drop.classList.remove("dragging"); });
    });
    drop.addEventListener("drop", function (event) {
      event.preventDefault();
      if (event.dataTransfer && event.dataTransfer.files.length) { send(event.dataTransfer.files); }
    });
  }

  // the picker ---------------------------------------------------------------------------------
  function pick(options) {
    options = options || {};
    var url = options.url || defaultUrl("data-media-picker-url");
    var uploadUrl = options.uploadUrl === undefined ? defaultUrl("data-media-upload-url") : options.uploadUrl;
    var words = options.texts || texts(options.element || null);
    var kind = options.kind || "image";
    return new Promise(function (resolve) {
      var chosen = null;
      var state = {page: 1, q: ""};
      var dialog = element("dialog", {"class": "media-picker", "aria-labelledby": "media-picker-title"});
      var head = element("div", {"class": "media-picker-head"});
      head.appendChild(element("h2", {id: "media-picker-title"}, options.title || words.title));
      var close = element("button", {type: "button", "class": "button quiet", "data-media-close": ""}, words.close);
      head.appendChild(close);
      dialog.appendChild(head);
      var search = element("form", {"class": "media-picker-search", role: "search"});
      var box = element("input", {type: "search", name: "q", "aria-label": words.search, placeholder: words.search, maxlength: "100"});
      search.appendChild(box);
      search.appendChild(element("button", {type: "submit", "class": "button"}, words.search));
      if (uploadUrl) {
        var label = element("label", {"class": "button media-picker-upload"}, words.upload);
        var file = element("input", {type: "file", accept: "image/jpeg,image/png,image/webp,image/gif", "class": "visually-hidden"});
        label.appendChild(file);
        search.appendChild(label);
        file.addEventListener("change", function () {
          if (!file.files.length) { return; }
          status.textContent = words.loading;
          upload(uploadUrl, file.files[0], function (share) {
            status.textContent = words.loading + " " + Math.round(share * 100) + " %";
          }, words).then(function (answer) {
            file.value = "";
            if (answer.items.length) { finish(answer.items[0]); } else { status.textContent = answer.errors.join(" "); }
          });
        });
      }
      dialog.appendChild(search);
      var status = element("p", {"class": "media-picker-status", role: "status"});
      dialog.appendChild(status);
      var grid = element("ul", {"class": "media-picker-grid"});
      dialog.appendChild(grid);
      var pager = element("div", {"class": "media-picker-pager"});
      var previous = element("button", {type: "button", "class": "button"}, words.previous);
      var where = element("span");
      var next = element("button", {type: "button", "class": "button"}, words.next);
      pager.appendChild(previous); pager.appendChild(where); pager.appendChild(next);
      dialog.appendChild(pager);

      function finish(item) { chosen = item; dialog.close(); }

      function load() {
        status.textContent = words.loading;
        fetch(withQuery(url, {picker: "1", kind: kind, q: state.q, page: String(state.page)}),
              {credentials: "same-origin", headers: {Accept: "application/json"}})
          .then(function (response) {
            if (!response.ok) { throw new Error(response.status === 403 ? words.forbidden : words.failed); }
            return response.json();
          })
          .then(function (answer) {
            grid.textContent = "";
            answer.items.forEach(function (item) {
              var choice = element("button", {type: "button", "class": "media-pick", "data-id": String(item.id)});
              choice.appendChild(thumbnail(item));
              choice.appendChild(element("span", {"class": "media-name"}, item.name));
              choice.addEventListener("click", function () { finish(item); });
              var cell = element("li");
              cell.appendChild(choice);
              grid.appendChild(cell);
            });
            status.textContent = answer.items.length ? "" : words.nothing;
            where.textContent = words.page.replace("%(page)s", answer.page).replace("%(pages)s", answer.pages);
            previous.disabled = answer.page <= 1;
            next.disabled = answer.page >= answer.pages;
            pager.hidden = answer.pages <= 1;
          })
          .catch(function (error) { status.textContent = error.message; });
      }

      search.addEventListener("submit", function (event) {
        event.preventDefault(); state.q = box.value; state.page = 1; load();
      });
      previous.addEventListener("click", function () { state.page -= 1; load(); });
      next.addEventListener("click", function () { state.page += 1; load(); });
      close.addEventListener("click", function () { dialog.close(); });
      dialog.addEventListener("close", function () { dialog.remove(); resolve(chosen); });
      document.body.appendChild(dialog);
      dialog.showModal();
      box.focus();
      load();
    });
  }

  // image fields ---------------------------------------------------------------------------
  function setUpField(field) {
    var words = texts(field);
    var input = field.querySelector("[data-media-ids]");
    var previews = field.querySelector("[data-media-previews]");
    var multiple = field.hasAttribute("data-multiple");
    var ids = function () { return input.value.split(/[\s,]+/).filter(Boolean); };
    var wrapper = input.closest("[data-media-ids-field]");
    if (wrapper) { wrapper.hidden = true; }

    function preview(item) {
      var row = element("li", {"data-id": String(item.id)});
      row.appendChild(thumbnail(item));
      row.appendChild(element("span", {"class": "media-name"}, item.name));
      row.appendChild(element("button", {type: "button", "class": "button quiet", "data-media-remove": ""}, words.remove));
      return row;
    }

    field.querySelector("[data-media-choose]").addEventListener("click", function () {
      pick({url: field.getAttribute("data-media-picker-url"),
            uploadUrl: field.getAttribute("data-media-upload-url") || "", texts: words,
            title: field.getAttribute("data-media-title") || words.title}).then(function (item) {
        if (!item) { return; }
        var current = ids();
        if (current.indexOf(String(item.id)) >= 0) { return; }
        if (!multiple) { previews.textContent = ""; current = []; }
        current.push(String(item.id));
        input.value = current.join(",");
        previews.appendChild(preview(item));
        input.dispatchEvent(new Event("change", {bubbles: true}));
      });
    });
    previews.addEventListener("click", function (event) {
      var button = event.target.closest("[data-media-remove]");
      if (!button) { return; }
      var row = button.closest("[data-id]");
      input.value = ids().filter(function (id) { return id !== row.getAttribute("data-id"); }).join(",");
      row.remove();
      input.dispatchEvent(new Event("change", {bubbles: true}));
    });
  }

  window.JetpyMedia = {pick: pick, upload: function (url, file, onProgress) { return upload(url, file, onProgress); }};

  function start() {
    var form = document.querySelector("[data-media-upload]");
    if (form) { setUpLibrary(form); }
    document.querySelectorAll("[data-media-field]").forEach(setUpField);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
