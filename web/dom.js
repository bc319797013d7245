// Writes what Python's ui/view.py says the page shows: `apply` takes every changed entry in one
// call (one Python->JS crossing, not one per element or cell). Text always goes in as textContent,
// never as HTML.

// A table marked data-cells="open" (the attention matrix) opens a cell's arithmetic by click or by
// keyboard: its cells are focusable, one tab stop for the table (the first cell), arrow keys move (main/).
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

// The model view (py/ui/model_view.py): a header row of head numbers, then per layer its label and one
// button per head, each holding a canvas of the head's n x n weights. `pixels` holds every head's RGBA
// picture, head after head; the buttons are made once and repainted in place, so the focus stays.
function fillHeads(grid, [n, columns, rows, heads, pixels]) {
  let buttons = grid.querySelectorAll('button');
  if (buttons.length !== heads.length) {
    const cell = (text, className) => {
      const span = document.createElement('span');
      span.className = className;
      span.textContent = text;
      span.setAttribute('aria-hidden', 'true');
      return span;
    };
    const fragment = document.createDocumentFragment();
    fragment.append(cell('', 'model-view-corner'), ...columns.map((text) => cell(text, 'model-view-column')));
    rows.forEach((label, layer) => {
      fragment.append(cell(label, 'model-view-row'));
      for (let head = 0; head < columns.length; head += 1) {
        const button = document.createElement('button');
        button.type = 'button';
        button.className = 'model-view-head';
        button.setAttribute('data-testid', 'model-view-head');
        button.appendChild(document.createElement('canvas'));
        fragment.append(button);
      }
    });
    grid.replaceChildren(fragment);
    buttons = grid.querySelectorAll('button');
  }
  const size = n * n * 4;
  heads.forEach(([layer, head, label], k) => {
    const button = buttons[k];
    button.dataset.layer = layer;
    button.dataset.head = head;
    button.setAttribute('aria-label', label);
    const canvas = button.firstChild;
    canvas.width = n;
    canvas.height = n;
    const rgba = new Uint8ClampedArray(pixels.buffer, pixels.byteOffset + k * size, size);
    canvas.getContext('2d').putImageData(new ImageData(rgba, n, n), 0, 0);
  });
  markCurrent(grid);
}

// The selected head ("layer,head"): marked, and the one Tab reaches (the arrow keys move between the others).
function markCurrent(grid) {
  for (const button of grid.querySelectorAll('button')) {
    const on = `${button.dataset.layer},${button.dataset.head}` === grid.dataset.current;
    button.tabIndex = on ? 0 : -1;
    if (on) button.setAttribute('aria-current', 'true');
    else button.removeAttribute('aria-current');
  }
}

// Designed beside real: per designed head, its name and a button per real head most like it.
function fillMatches(list, matches) {
  list.replaceChildren(...matches.map(([name, pairs]) => {
    const li = document.createElement('li');
    li.append(`${name}: `);
    pairs.forEach(([text, label, designed, layer, head], k) => {
      const button = document.createElement('button');
      button.type = 'button';
      button.className = 'pair-button';
      button.setAttribute('data-testid', 'designed-match-pair');
      button.setAttribute('aria-label', label);
      Object.assign(button.dataset, { designed, layer, head });
      button.textContent = text;
      li.append(...(k ? [', ', button] : [button]));
    });
    return li;
  }));
}

// A table heatmap: [column labels, [[row label, [[text, background, ink], ...]], ...]].
function fillHeatmap(table, [columns, rows]) {
  fillHeader(table.tHead, columns.length ? ['query \\ key', ...columns] : []);
  const fragment = document.createDocumentFragment();
  for (const [word, cells] of rows) {
    const tr = document.createElement('tr');
    const th = document.createElement('th');
    th.scope = 'row';
    th.textContent = word;
    tr.appendChild(th);
    for (const [text, background, ink] of cells) {
      const td = document.createElement('td');
      td.textContent = text;
      td.style.backgroundColor = background;
      td.style.color = ink;
      tr.appendChild(td);
    }
    fragment.appendChild(tr);
  }
  table.tBodies[0].replaceChildren(fragment);
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
      case 'heads': fillHeads(element, value); break;
      case 'current': element.dataset.current = value; markCurrent(element); break;
      case 'matches': fillMatches(element, value); break;
      case 'heatmap': fillHeatmap(element, value); break;
      case 'modal':
        if (value && !element.open) element.showModal();
        else if (!value && element.open) element.close();
        break;
      default: // '@name': an attribute; null or undefined removes it
        if (value === null || value === undefined) element.removeAttribute(prop.slice(1));
        else element.setAttribute(prop.slice(1), value);
    }
  });
  return later;
}

window.aeDom = { apply };
