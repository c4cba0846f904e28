/**
 * The one script tinyoauth's pages run: the passkey forms'. Served from our own origin at
 * PASSKEY_SCRIPT_PATH (the library's UMD build, then this), and allowed by exactly that URL in the
 * `script-src` of the pages that have a passkey form, and of no other page. No inline script anywhere.
 *
 * A passkey form carries the ceremony's options (JSON, from the server) in `data-options`. Submitting
 * it runs the ceremony instead, puts the browser's response in the form's `credential` field and then
 * submits the form: the server still receives a plain form post, with its CSRF token.
 */
import { WEBAUTHN_BROWSER } from './webauthn-browser.generated.ts';

const PAGE_SCRIPT = `
(function () {
  'use strict';
  var webauthn = globalThis.SimpleWebAuthnBrowser;
  document.querySelectorAll('form[data-passkey]').forEach(function (form) {
    var field = form.querySelector('input[name="credential"]');
    var problem = form.querySelector('.passkey-problem');
    form.addEventListener('submit', function (event) {
      if (field.value) return;
      event.preventDefault();
      var optionsJSON = JSON.parse(form.getAttribute('data-options'));
      var ceremony = form.getAttribute('data-passkey') === 'register'
        ? webauthn.startRegistration
        : webauthn.startAuthentication;
      ceremony({ optionsJSON: optionsJSON }).then(function (response) {
        field.value = JSON.stringify(response);
        form.submit();
      }, function (error) {
        problem.textContent = 'The passkey was not used (' + error.name + '). Try again.';
        problem.hidden = false;
      });
    });
  });
})();
`;

/**
 * The whole script file: the library, then the page script that uses its global. A function, not a
 * constant: a template literal at module level is kept by esbuild in every bundle that imports the module.
 */
export const passkeyScript = (): string => `${WEBAUTHN_BROWSER}\n${PAGE_SCRIPT}`;
