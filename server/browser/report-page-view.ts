// DOM updates for the report page. Text only ever goes in through textContent: nothing a person
// typed, and nothing the server sent, is parsed as HTML.

export function setStatus(form: HTMLFormElement, text: string): void {
  const status = form.querySelector<HTMLElement>('[data-status]');
  if (status) status.textContent = text;
}

export function showProblems(form: HTMLFormElement, problems: string[]): void {
  setStatus(form, '');
  let box = document.getElementById('problems');
  if (!box) {
    box = document.createElement('div');
    box.id = 'problems';
    box.className = 'problems';
    box.setAttribute('role', 'alert');
    box.tabIndex = -1;
    form.before(box);
  }
  box.replaceChildren(element('h2', 'Your report was not sent'), list(problems));
  box.focus();
}

export function showConfirmation(form: HTMLFormElement, kind: string, reference: string, receipt: string): void {
  const main = form.closest('main') ?? document.body;
  const title = element('h1', 'Your report was received');
  const intro = element('p', 'Its reference is ');
  const ref = element('strong', reference);
  ref.className = 'reference';
  ref.dataset.reference = '';
  intro.append(ref, '.');

  const box = document.createElement('section');
  box.className = 'receipt-box';
  const words = element('p', receipt);
  words.className = 'receipt';
  words.dataset.receipt = '';
  box.append(
    element('h2', 'Your receipt'),
    words,
    element('p', 'Write these words down or keep them in a password manager now. This is the only time they are shown; we do not keep them and cannot recover them. With them you can come back to read our replies and answer, without an account.'),
  );
  const after = element('p', `Your ${kind === 'coc' ? 'Code of Conduct' : 'security'} report was encrypted in this browser and went only to the people who may read it.`);
  main.replaceChildren(title, intro, box, after);
  title.tabIndex = -1;
  title.focus();
}

function element(tag: string, text: string): HTMLElement {
  const node = document.createElement(tag);
  node.textContent = text;
  return node;
}

function list(items: string[]): HTMLElement {
  const ul = document.createElement('ul');
  for (const item of items) ul.append(element('li', item));
  return ul;
}
