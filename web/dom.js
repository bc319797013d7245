// Fills tables, lists and menus from Python in one call each (one Python->JS crossing
// instead of one per cell). Text always goes in as textContent, never as HTML.

function fillRows(section, rows, headerTag = 'th') {
  const fragment = document.createDocumentFragment();
  for (const row of rows) {
    const tr = document.createElement('tr');
    row.forEach((text, k) => {
      const cell = document.createElement(k === 0 ? headerTag : 'td');
      if (k === 0 && headerTag === 'th') cell.scope = 'row';
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

window.aeDom = { fillRows, fillHeader, fillOptions, fillList };
