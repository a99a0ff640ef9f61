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

export const CONFIRMATION_TEMPLATE = 'template[data-confirmation-template]';

/**
 * Shows the confirmation the page carries in its <template> (the same partial the no-JavaScript
 * confirmation page renders), with the reference and the receipt put in as text.
 */
export function showConfirmation(form: HTMLFormElement, reference: string, receipt: string): void {
  const main = form.closest('main') ?? document.body;
  const template = document.querySelector<HTMLTemplateElement>(CONFIRMATION_TEMPLATE)!;
  const confirmation = template.content.cloneNode(true) as DocumentFragment;
  confirmation.querySelector('[data-reference]')!.textContent = reference;
  confirmation.querySelector('[data-receipt]')!.textContent = receipt;
  main.replaceChildren(confirmation);
  main.querySelector<HTMLElement>('[data-confirmation-heading]')?.focus();
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
