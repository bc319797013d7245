// Runs before the page is painted: applies the address's layout parameters (?embed=1,
// ?theme=dark|light, ?large=1) so the first paint is already the right layout.
(() => {
  const params = new URLSearchParams(location.search);
  const root = document.documentElement;
  if (params.get('embed') === '1') root.dataset.embed = 'true';
  if (['light', 'dark'].includes(params.get('theme'))) root.dataset.theme = params.get('theme');
  if (params.get('large') === '1') root.dataset.large = 'true';
})();
