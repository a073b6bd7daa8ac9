// jetpy admin: small enhancements of server-rendered pages (every page works without them).
// - tabs: a <nav data-tabs> of links to fieldsets becomes a tab list (one fieldset shown;
//   the first with an error, else the first); arrow keys, Home and End move between tabs
// - the grid's "select all" checkbox, shown only when this script runs
// - a form with data-autosubmit is sent when one of its selects changes
// - the error summary of a form takes the focus, so a screen reader reads it first
// - a menu that scrolls sideways (narrow screens) shows the current page's item
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function tabs(nav) {
    var links = Array.prototype.slice.call(nav.querySelectorAll("[data-tab]"));
    var panels = links.map(function (link) {
      return document.getElementById(link.getAttribute("data-tab"));
    });
    if (panels.some(function (panel) { return !panel; })) {
      return;
    }
    nav.setAttribute("role", "tablist");
    function select(index, focus) {
      links.forEach(function (link, i) {
        var chosen = i === index;
        link.setAttribute("aria-selected", chosen ? "true" : "false");
        link.setAttribute("tabindex", chosen ? "0" : "-1");
        panels[i].hidden = !chosen;
      });
      if (focus) {
        links[index].focus();
      }
    }
    links.forEach(function (link, i) {
      link.setAttribute("role", "tab");
      link.id = link.id || "tab-" + link.getAttribute("data-tab");
      link.setAttribute("aria-controls", panels[i].id);
      panels[i].setAttribute("role", "tabpanel");
      panels[i].setAttribute("aria-labelledby", link.id);
      link.addEventListener("click", function (event) {
        event.preventDefault();
        select(i, false);
      });
      link.addEventListener("keydown", function (event) {
        var next = {ArrowRight: i + 1, ArrowLeft: i - 1, Home: 0, End: links.length - 1}[event.key];
        if (next === undefined) {
          return;
        }
        event.preventDefault();
        select((next + links.length) % links.length, true);
      });
    });
    var invalid = links.findIndex(function (link) {
      return link.classList.contains("tab-invalid");
    });
    var wanted = location.hash ? document.getElementById(decodeURIComponent(location.hash.slice(1))) : null;
    var hash = wanted ? panels.findIndex(function (panel) { return panel.contains(wanted); }) : -1;
    select(hash >= 0 ? hash : Math.max(invalid, 0), false);
    // a link of the error summary to a field in a hidden tab opens that tab first
    document.addEventListener("click", function (event) {
      var target = event.target.closest && event.target.closest("a[href^='#']");
      if (!target) {
        return;
      }
      var field = document.getElementById(target.getAttribute("href").slice(1));
      var index = field ? panels.findIndex(function (panel) { return panel.contains(field); }) : -1;
      if (index >= 0 && panels[index].hidden) {
        select(index, false);
      }
    });
  }

  function selectAll(box) {
    var form = box.closest("form");
    if (!form) {
      return;
    }
    var rows = Array.prototype.slice.call(form.querySelectorAll("input[name='ids'][type='checkbox']"));
    if (!rows.length) {
      return;
    }
    box.hidden = false;
    var hint = box.parentNode.querySelector(".visually-hidden");
    if (hint) {
      hint.remove();
    }
    function update() {
      var checked = rows.filter(function (row) { return row.checked; }).length;
      box.checked = checked === rows.length;
      box.indeterminate = checked > 0 && checked < rows.length;
    }
    box.addEventListener("change", function () {
      rows.forEach(function (row) { row.checked = box.checked; });
      update();
    });
    rows.forEach(function (row) { row.addEventListener("change", update); });
    update();
  }

  function autosubmit(form) {
    form.querySelectorAll("select").forEach(function (select) {
      select.addEventListener("change", function () { form.submit(); });
    });
  }

  // only the menu's own scroll position moves (scrollIntoView could scroll the page too)
  function showCurrent(menu) {
    var current = menu.querySelector("a[aria-current]");
    if (!current || menu.scrollWidth <= menu.clientWidth) {
      return;
    }
    var box = menu.getBoundingClientRect();
    var item = current.getBoundingClientRect();
    if (item.left >= box.left && item.right <= box.right) {
      return;
    }
    menu.scrollLeft += item.left - box.left - (box.width - item.width) / 2;
  }

  function start() {
    document.querySelectorAll(".admin-menu").forEach(showCurrent);
    document.querySelectorAll("[data-tabs]").forEach(tabs);
    document.querySelectorAll("[data-select-all]").forEach(selectAll);
    document.querySelectorAll("form[data-autosubmit]").forEach(autosubmit);
    var summary = document.getElementById("form-errors");
    if (summary && !location.hash) {
      summary.focus();
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
