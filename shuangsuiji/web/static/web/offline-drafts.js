/* Offline drafts: a form marked <form data-offline-draft="<stable key>"> keeps what was typed in
 * the browser and is submitted when the connection returns (docs/architecture.md, "Phones and
 * offline", is the contract other apps build against):
 *
 * - text-like inputs, selects, checkboxes, radios and textareas are saved to localStorage under
 *   "ssj-draft:<key>" on every input, and restored on load with the notice "已恢复未提交的草稿";
 * - the form's <input type="hidden" name="client_request_id"> gets a UUID, kept with the draft
 *   until the server answered, so a repeated submission can be recognised by the server;
 * - a POST form is submitted with fetch; offline (navigator.onLine false, or the fetch fails) the
 *   submission is queued in localStorage ("ssj-queue"), the notice says "离线：已保存，联网后自动提交",
 *   and it is sent again (same client_request_id, the form's CSRF token) when "online" fires or on
 *   the next page load;
 * - success is a redirect (Post/Redirect/Get): the draft and the queue entry are removed and the
 *   page follows it. Any other answer is shown like a normal submission; the draft stays.
 * - file inputs are never saved nor queued (they are sent only by an online submission).
 */
(function () {
  // The form's target URL. Not ``form.action``: a field named "action" (e.g. the buttons of a
  // review form) shadows that property and gives a RadioNodeList.
  function actionOf(form) {
    return new URL(form.getAttribute("action") || window.location.href, window.location.href).href;
  }

  "use strict";

  var DRAFT_PREFIX = "ssj-draft:";
  var QUEUE_KEY = "ssj-queue";
  var TEXT = {
    restored: "已恢复未提交的草稿",
    queued: "离线：已保存，联网后自动提交",
    sending: "正在提交离线保存的内容……",
    refused: "离线保存的提交未被接受：草稿已保留，请检查后重新提交。",
    retry: "提交未完成（服务器暂时无法处理），稍后自动重试。",
    login: "登录已失效：请重新登录，离线保存的内容将在登录后自动提交。",
    storage: "无法在本设备保存草稿（浏览器存储不可用）。",
    files: "附件不会离线保存：联网后请重新选择文件。",
    discard: "放弃草稿",
    open: "打开",
    queuedElsewhere: "有离线保存的内容等待提交",
  };
  var SKIP_TYPES = { hidden: 1, password: 1, file: 1, submit: 1, button: 1, reset: 1, image: 1 };

  function uuid() {
    if (window.crypto && typeof window.crypto.randomUUID === "function") return window.crypto.randomUUID();
    var b = new Uint8Array(16);
    window.crypto.getRandomValues(b);
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var h = Array.prototype.map.call(b, function (x) { return (x + 0x100).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function read(key, fallback) {
    try {
      var raw = window.localStorage.getItem(key);
      return raw ? JSON.parse(raw) : fallback;
    } catch (e) {
      return fallback;
    }
  }

  function write(key, value) {
    try {
      if (value === null) window.localStorage.removeItem(key);
      else window.localStorage.setItem(key, JSON.stringify(value));
      return true;
    } catch (e) {
      return false;
    }
  }

  function queue() { return read(QUEUE_KEY, []); }
  function saveQueue(q) { return write(QUEUE_KEY, q.length ? q : null); }
  function dequeue(key) { saveQueue(queue().filter(function (e) { return e.key !== key; })); }
  function enqueue(entry) {
    var q = queue().filter(function (e) { return e.key !== entry.key; });
    q.push(entry);
    return saveQueue(q);
  }

  function loginPath() {
    var url = document.body && document.body.getAttribute("data-login-url");
    return url ? new URL(url, location.href).pathname : "/login/";
  }

  function currentCsrf() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input && input.value) return input.value;
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return m ? decodeURIComponent(m[1]) : "";
  }

  /* ---- notices ---------------------------------------------------------------------- */

  function notice(form, text, kind, extra) {
    var host = form || document.querySelector("main") || document.body;
    var box = host.querySelector(":scope > .offline-draft-notice");
    if (!box) {
      box = document.createElement("div");
      box.setAttribute("role", "status");
      box.setAttribute("data-testid", "offline-draft-notice");
      host.insertBefore(box, host.firstChild);
    }
    box.className = "alert alert-" + (kind || "info") + " offline-draft-notice d-flex flex-wrap align-items-center gap-2";
    box.textContent = "";
    var span = document.createElement("span");
    span.textContent = text;
    box.appendChild(span);
    if (extra) box.appendChild(extra);
    return box;
  }

  /* ---- drafts ----------------------------------------------------------------------- */

  function draftFields(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || el.disabled || SKIP_TYPES[el.type] || el.name === "client_request_id") return;
      if (!(el.name in fields)) fields[el.name] = [];
      if (el.type === "checkbox" || el.type === "radio") {
        if (el.checked) fields[el.name].push(el.value);
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) { if (o.selected) fields[el.name].push(o.value); });
      } else if (el.tagName === "INPUT" || el.tagName === "TEXTAREA" || el.tagName === "SELECT") {
        fields[el.name].push(el.value);
      }
    });
    return fields;
  }

  function applyFields(form, fields) {
    var seen = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || SKIP_TYPES[el.type] || el.name === "client_request_id" || !(el.name in fields)) return;
      var values = fields[el.name];
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = values.indexOf(el.value) !== -1;
      } else if (el.type === "select-multiple") {
        Array.prototype.forEach.call(el.options, function (o) { o.selected = values.indexOf(o.value) !== -1; });
      } else {
        var i = seen[el.name] || 0;
        seen[el.name] = i + 1;
        if (i < values.length) el.value = values[i];
      }
    });
  }

  function requestIdInput(form) { return form.querySelector("input[name=client_request_id]"); }

  function saveDraft(form) {
    var ok = write(DRAFT_PREFIX + form.getAttribute("data-offline-draft"), {
      client_request_id: (requestIdInput(form) || {}).value || "",
      fields: draftFields(form),
      page: location.pathname + location.search,
      saved_at: new Date().toISOString(),
    });
    if (!ok) notice(form, TEXT.storage, "danger");
    return ok;
  }

  function discardButton(form, key) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-secondary";
    button.setAttribute("data-testid", "offline-draft-discard");
    button.textContent = TEXT.discard;
    button.addEventListener("click", function () {
      write(DRAFT_PREFIX + key, null);
      dequeue(key);
      location.reload();
    });
    return button;
  }

  /* ---- sending ---------------------------------------------------------------------- */

  function toFormData(pairs) {
    var body = new FormData();
    pairs.forEach(function (p) { body.append(p[0], p[1]); });
    return body;
  }

  function queueEntry(form, submitter) {
    var pairs = [];
    var data;
    try {
      data = new FormData(form, submitter || undefined);
    } catch (e) {
      data = new FormData(form);
      if (submitter && submitter.name) data.append(submitter.name, submitter.value);
    }
    var hadFiles = false;
    data.forEach(function (value, name) {
      if (typeof value === "string") pairs.push([name, value]);
      else if (value && value.size) hadFiles = true;
    });
    return {
      key: form.getAttribute("data-offline-draft"),
      action: actionOf(form),
      client_request_id: (requestIdInput(form) || {}).value || "",
      body: pairs,
      page: location.pathname + location.search,
      queued_at: new Date().toISOString(),
      had_files: hadFiles,
    };
  }

  /* The server's answer: "done" (a redirect, followed), "login", "retry" (5xx) or "refused". */
  function classify(response) {
    if (new URL(response.url, location.href).pathname === loginPath()) return "login";
    if (response.ok && response.redirected) return "done";
    if (response.status >= 500 || response.status === 429) return "retry";
    return "refused";
  }

  function post(action, body, csrf) {
    return fetch(action, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      redirect: "follow",
      headers: csrf ? { "X-CSRFToken": csrf } : {},
    });
  }

  function forgetDraft(key) {
    write(DRAFT_PREFIX + key, null);
    dequeue(key);
  }

  function showResponse(response) {
    return response.text().then(function (html) {
      if (response.url && response.url !== location.href) history.replaceState(null, "", response.url);
      document.open();
      document.write(html);
      document.close();
    });
  }

  function submitOnline(form, submitter, entry) {
    var body;
    try {
      body = new FormData(form, submitter || undefined);
    } catch (e) {
      body = new FormData(form);
      if (submitter && submitter.name) body.append(submitter.name, submitter.value);
    }
    form.setAttribute("aria-busy", "true");
    return post(actionOf(form), body, "").then(
      function (response) {
        form.removeAttribute("aria-busy");
        var state = classify(response);
        if (state === "done") {
          forgetDraft(entry.key);
          // Show the page the redirect led to as fetched: it carries the one-time message
          // ("检查结果已提交审核"); loading it again would lose it.
          return showResponse(response);
        }
        return showResponse(response);
      },
      function () {
        form.removeAttribute("aria-busy");
        queueOffline(form, entry);
      }
    );
  }

  function queueOffline(form, entry) {
    saveDraft(form);
    if (!enqueue(entry)) {
      notice(form, TEXT.storage, "danger");
      return;
    }
    var box = notice(form, TEXT.queued, "warning");
    if (entry.had_files) {
      var files = document.createElement("span");
      files.className = "small";
      files.textContent = TEXT.files;
      box.appendChild(files);
    }
  }

  function formFor(key) {
    var forms = document.querySelectorAll("form[data-offline-draft]");
    for (var i = 0; i < forms.length; i++) if (forms[i].getAttribute("data-offline-draft") === key) return forms[i];
    return null;
  }

  var flushing = false;

  function sendEntry(entry) {
    var form = formFor(entry.key);
    var csrf = currentCsrf();
    var body = entry.body.map(function (p) {
      return p[0] === "csrfmiddlewaretoken" && csrf ? [p[0], csrf] : p;
    });
    if (form) notice(form, TEXT.sending, "info");
    return post(entry.action, toFormData(body), csrf).then(
      function (response) {
        var state = classify(response);
        var here = form || document.body.hasAttribute("data-offline-page") || entry.page === location.pathname + location.search;
        if (state === "done") {
          forgetDraft(entry.key);
          if (here) {
            showResponse(response);
            return "navigated";
          }
          return "done";
        }
        if (state === "login") {
          notice(form, TEXT.login, "warning");
          return "stop";
        }
        if (state === "retry") {
          notice(form, TEXT.retry, "warning");
          return "stop";
        }
        dequeue(entry.key); /* the draft stays, to be checked and submitted again */
        var link = null;
        if (!form && entry.page) {
          link = document.createElement("a");
          link.href = entry.page;
          link.textContent = TEXT.open;
        }
        notice(form, TEXT.refused, "danger", link);
        return "next";
      },
      function () {
        if (form) notice(form, TEXT.queued, "warning");
        return "stop";
      }
    );
  }

  function flush() {
    if (flushing || !navigator.onLine || !queue().length) return Promise.resolve();
    flushing = true;
    var run = function () {
      var sent = {};
      var step = function () {
        var next = queue().filter(function (e) { return !sent[e.key]; })[0];
        if (!next || !navigator.onLine) return Promise.resolve();
        sent[next.key] = true;
        return sendEntry(next).then(function (outcome) {
          if (outcome === "next" || outcome === "done") return step();
        });
      };
      return step();
    };
    var done = function () { flushing = false; };
    var locked = navigator.locks && navigator.locks.request ? navigator.locks.request(QUEUE_KEY, run) : run();
    return Promise.resolve(locked).then(done, done);
  }

  /* ---- wiring ----------------------------------------------------------------------- */

  function setUp(form) {
    var key = form.getAttribute("data-offline-draft");
    if (!key) return;
    var draft = read(DRAFT_PREFIX + key, null);
    var idInput = requestIdInput(form);
    if (idInput) idInput.value = (draft && draft.client_request_id) || idInput.value || uuid();
    if (draft && draft.fields) {
      applyFields(form, draft.fields);
      var queued = queue().some(function (e) { return e.key === key; });
      notice(form, queued ? TEXT.queued : TEXT.restored, queued ? "warning" : "info", discardButton(form, key));
    }
    var onEdit = function () { saveDraft(form); };
    form.addEventListener("input", onEdit);
    form.addEventListener("change", onEdit);
    if ((form.getAttribute("method") || "get").toLowerCase() !== "post") return;
    form.addEventListener("submit", function (event) {
      if (event.defaultPrevented) return;
      event.preventDefault();
      if (form.getAttribute("aria-busy") === "true") return; /* a second tap while the first is sent */
      saveDraft(form);
      var entry = queueEntry(form, event.submitter);
      if (!navigator.onLine) queueOffline(form, entry);
      else submitOnline(form, event.submitter, entry);
    });
  }

  var retrying = false;

  function retryPage() {
    var probe = document.body.getAttribute("data-offline-page");
    if (!probe || retrying || !navigator.onLine) return;
    retrying = true;
    fetch(probe, { cache: "no-store", credentials: "same-origin" }).then(
      function (response) {
        retrying = false;
        if (response.ok) location.reload();
      },
      function () { retrying = false; }
    );
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("form[data-offline-draft]"), setUp);
    window.addEventListener("online", function () { flush().then(retryPage); });
    /* The offline page stands in for a page that could not be fetched: once the platform
     * answers again (and not merely the device says it is online), fetch that page. */
    if (document.body.hasAttribute("data-offline-page")) window.setInterval(retryPage, 3000);
    if (queue().length) {
      if (!document.querySelector("form[data-offline-draft]") && !navigator.onLine) {
        notice(null, TEXT.queuedElsewhere + "（" + queue().length + " 条），联网后自动提交。", "warning");
      }
      flush();
    }
  }

  window.ssjOfflineDrafts = { flush: flush, queue: queue, draftKey: function (key) { return DRAFT_PREFIX + key; } };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
