// The live price preview of the product form (catalog.products.admin, views/form.html,
// #product-form data-preview-url): the module computes it (?preview=1, the shared pricing rules);
// this script only sends the typed-in values and shows the answer, never rounding itself.
(function () {
  var root = document.getElementById("product-form");
  var url = root.getAttribute("data-preview-url");
  root.querySelectorAll("[data-pricelist]").forEach(function (box) {
    var code = box.getAttribute("data-pricelist");
    var field = function (name) { return document.getElementById("product-" + name + "_" + code); };
    var inputs = {amount: field("price"), before: field("before"), rate: field("rate")};
    var asked = 0, timer = null;
    function show(data) {
      box.querySelectorAll("[data-preview]").forEach(function (out) {
        out.textContent = data[out.getAttribute("data-preview")] || "";
      });
    }
    function update() {
      var number = ++asked;
      var query = new URLSearchParams({pricelist: code, amount: inputs.amount.value,
        before: inputs.before.value, rate: inputs.rate.value});
      fetch(url + "&" + query.toString(), {credentials: "same-origin", headers: {Accept: "application/json"}})
        .then(function (response) { return response.json(); })
        .then(function (data) { if (number === asked) { show(data); } })
        .catch(function () {});
    }
    Object.keys(inputs).forEach(function (name) {
      inputs[name].addEventListener("input", function () { clearTimeout(timer); timer = setTimeout(update, 150); });
      inputs[name].addEventListener("change", update);
    });
  });
})();
