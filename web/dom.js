// Writes what Python's ui/view.py says the page shows: `apply` takes every changed entry in one
// call (one Python->JS crossing, not one per element or cell). Text always goes in as textContent,
// never as HTML.

// A table marked data-cells="open" (the attention matrix) opens a cell's arithmetic by click or by
// keyboard: its cells are focusable, one tab stop for the table (the first cell), arrow keys move (main.py).
function fillRows(section, rows, headerTag = 'th') {
  const focusable = section.parentElement.dataset.cells === 'open';
  const fragment = document.createDocumentFragment();
  for (const row of rows) {
    const tr = document.createElement('tr');
    row.forEach((text, k) => {
      const cell = document.createElement(k === 0 ? headerTag : 'td');
      if (k === 0 && headerTag === 'th') cell.scope = 'row';
      if (focusable && k > 0) cell.tabIndex = fragment.childNodes.length === 0 && k === 1 ? 0 : -1;
      cell.textContent = text;
      tr.appendChild(cell);
    });
    fragment.appendChild(tr);
  }
  section.replaceChildren(fragment);
}

function fillHeader(thead, labels) {
  const tr = document.createElement('tr');
  for (const label of labels) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = label;
    tr.appendChild(th);
  }
  thead.replaceChildren(tr);
}

function fillOptions(select, options) {
  select.replaceChildren(...options.map(([value, label]) => {
    const option = document.createElement('option');
    option.value = value;
    option.textContent = label;
    return option;
  }));
}

function fillList(list, lines) {
  list.replaceChildren(...lines.map((line) => {
    const li = document.createElement('li');
    li.textContent = line;
    return li;
  }));
}

function typeset(element, tex) {
  if (window.katex) window.katex.render(tex, element, { throwOnError: false });
  else element.textContent = tex;
}

// [[element id ("html" = <html>), property, value], ...] -> the indices of the entries left for later:
// a text box's value is never written under the learner's cursor. Properties as in py/ui/view.py.
function apply(changes) {
  const later = [];
  changes.forEach(([id, prop, value], k) => {
    const element = id === 'html' ? document.documentElement : document.getElementById(id);
    switch (prop) {
      case 'value':
        if (document.activeElement === element && (element.type === 'text' || element.tagName === 'TEXTAREA')) later.push(k);
        else element.value = value;
        break;
      case 'text': element.textContent = value; break;
      case 'checked': case 'disabled': case 'hidden': case 'href': element[prop] = value; break;
      case 'options': fillOptions(element, value); break;
      case 'rows': fillRows(element.tBodies[0], value); break;
      case 'header': fillHeader(element.tHead, value); break;
      case 'list': fillList(element, value); break;
      case 'tex': typeset(element, value); break;
      default: // '@name': an attribute; null or undefined removes it
        if (value === null || value === undefined) element.removeAttribute(prop.slice(1));
        else element.setAttribute(prop.slice(1), value);
    }
  });
  return later;
}

window.aeDom = { apply };
