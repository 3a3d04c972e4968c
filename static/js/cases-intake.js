/* Sinergi PPA, intake and case forms: keep the kelurahan list to the chosen kecamatan.
   Progressive enhancement only: without JavaScript the grouped list still works and the
   server checks that the kelurahan lies in the kecamatan. */
(function () {
  "use strict";
  function setup(select) {
    var form = select.form;
    if (!form) { return; }
    var source = form.querySelector('[name="' + select.getAttribute("data-filter-by") + '"]');
    if (!source) { return; }
    var original = select.cloneNode(true);
    function refresh() {
      var prefix = source.value ? source.value + "." : "";
      var chosen = select.value;
      while (select.firstChild) { select.removeChild(select.firstChild); }
      Array.prototype.forEach.call(original.children, function (node) {
        if (node.tagName === "OPTGROUP") {
          var group = node.cloneNode(false);
          Array.prototype.forEach.call(node.children, function (option) {
            if (!prefix || option.value.indexOf(prefix) === 0) { group.appendChild(option.cloneNode(true)); }
          });
          if (group.children.length) { select.appendChild(group); }
        } else {
          select.appendChild(node.cloneNode(true));
        }
      });
      select.value = chosen;
      if (select.value !== chosen) { select.value = ""; }
    }
    source.addEventListener("change", refresh);
    refresh();
  }
  document.querySelectorAll("select[data-filter-by]").forEach(setup);
}());
