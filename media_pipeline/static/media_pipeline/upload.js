/* Video upload page of the Wagtail admin (media_pipeline.wagtail_hooks.UploadView).
 *
 * Talks to /api/v1/media/uploads/:
 *   S3 mode    - each part is PUT straight to the bucket at a presigned URL;
 *   local mode - chunks are PUT to the app with Content-Range.
 * A failed part or chunk is retried 3 times with back-off (1 s, 2 s, 4 s); each
 * retry first asks the server what it already holds (GET the upload), so an
 * upload resumes where it stopped. The upload id is kept in localStorage per
 * file, so choosing the same file again after a reload resumes it too.
 * Then the page polls the asset every 2 s and shows the processing status.
 * All user-visible text comes from the template's data-msg-* attributes
 * (translated there).
 */
(function () {
  "use strict";

  var form = document.querySelector("[data-video-upload]");
  if (!form) {
    return;
  }
  var d = form.dataset;
  var RETRIES = 3;
  var POLL_MS = 2000;
  var fileInput = form.querySelector("input[type=file]");
  var titleInput = form.querySelector("input[name=title]");
  var startButton = form.querySelector("[data-upload-start]");
  var cancelButton = form.querySelector("[data-upload-cancel]");
  var panel = form.querySelector("[data-upload-panel]");
  var bar = form.querySelector("[data-upload-progress]");
  var message = form.querySelector("[data-upload-message]");
  var done = form.querySelector("[data-upload-done]");
  var currentXhr = null;
  var current = null; // {id, urls}
  var cancelled = false;
  var busy = false;

  function text(name, values) {
    var result = d["msg" + name] || "";
    Object.keys(values || {}).forEach(function (key) {
      result = result.split("{" + key + "}").join(values[key]);
    });
    return result;
  }

  function say(value) {
    message.textContent = value;
  }

  function showProgress(loaded, total) {
    var percent = total ? Math.floor((loaded / total) * 100) : 0;
    bar.value = percent;
    say(text("Uploading", { percent: percent + "%" }));
  }

  function sleep(ms) {
    return new Promise(function (resolve) {
      setTimeout(resolve, ms);
    });
  }

  function failure(status, data, fallback) {
    var error = new Error((data && data.detail) || fallback || String(status));
    error.status = status;
    error.data = data;
    return error;
  }

  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": d.csrfToken,
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response
        .json()
        .catch(function () {
          return null;
        })
        .then(function (data) {
          if (!response.ok) {
            throw failure(response.status, data, response.statusText);
          }
          return data;
        });
    });
  }

  // PUT with upload progress (fetch has none).
  function put(url, blob, headers, onProgress) {
    return new Promise(function (resolve, reject) {
      var xhr = new XMLHttpRequest();
      currentXhr = xhr;
      xhr.open("PUT", url);
      Object.keys(headers).forEach(function (name) {
        xhr.setRequestHeader(name, headers[name]);
      });
      xhr.upload.onprogress = function (event) {
        onProgress(event.loaded);
      };
      xhr.onload = function () {
        var data = null;
        try {
          data = JSON.parse(xhr.responseText);
        } catch (ignored) {
          data = null;
        }
        if (xhr.status >= 200 && xhr.status < 300) {
          resolve({ xhr: xhr, data: data });
        } else {
          reject(failure(xhr.status, data, xhr.statusText));
        }
      };
      xhr.onerror = function () {
        reject(failure(0, null, "network error"));
      };
      xhr.onabort = function () {
        reject(failure(0, null, "aborted"));
      };
      xhr.send(blob);
    });
  }

  function retryable(error) {
    // Network trouble and server errors are worth another try; a refusal is not.
    return !error.status || error.status >= 500 || error.status === 408 || error.status === 429;
  }

  function withRetries(attempt) {
    var tries = 0;
    function run() {
      return attempt().catch(function (error) {
        if (cancelled || tries >= RETRIES || !retryable(error)) {
          throw error;
        }
        tries += 1;
        say(text("Retrying"));
        return sleep(1000 * Math.pow(2, tries - 1)).then(run);
      });
    }
    return run();
  }

  function storageKey(file) {
    return "jx-upload:" + [file.name, file.size, file.lastModified, d.assetId || ""].join(":");
  }

  function urls(id) {
    var base = d.uploadsUrl + id + "/";
    return {
      detail: base,
      chunk: base + "chunk/",
      complete: base + "complete/",
      part: function (n) {
        return base + "parts/" + n + "/";
      },
    };
  }

  // An upload of this very file that is still open, or null.
  function findUnfinished(file) {
    var id = window.localStorage.getItem(storageKey(file));
    if (!id) {
      return Promise.resolve(null);
    }
    return api("GET", urls(id).detail)
      .then(function (state) {
        return state.status === "active" ? state : null;
      })
      .catch(function () {
        return null;
      });
  }

  function startUpload(file) {
    var body = { filename: file.name, size: file.size, content_type: file.type || "" };
    if (d.assetId) {
      body.asset_id = Number(d.assetId);
    } else {
      body.title = titleInput.value.trim();
    }
    return api("POST", d.uploadsUrl, body).then(function (state) {
      window.localStorage.setItem(storageKey(file), state.upload_id);
      return state;
    });
  }

  function uploadS3(file, state) {
    var u = urls(state.upload_id);
    var etags = {};
    var stored = 0;
    function refresh() {
      return api("GET", u.detail).then(function (fresh) {
        etags = {};
        stored = 0;
        fresh.parts.forEach(function (part) {
          etags[part.part_number] = part.etag;
          stored += part.size;
        });
      });
    }
    function sendPart(n) {
      if (etags[n]) {
        return Promise.resolve();
      }
      var begin = (n - 1) * state.part_size;
      var blob = file.slice(begin, Math.min(begin + state.part_size, file.size));
      return withRetries(function () {
        // A fresh signature each attempt; the status first, in case the part
        // arrived although its response was lost.
        return refresh().then(function () {
          if (etags[n]) {
            return null;
          }
          return api("POST", u.part(n)).then(function (signed) {
            return put(signed.url, blob, {}, function (loaded) {
              showProgress(stored + loaded, file.size);
            });
          });
        });
      }).then(function (result) {
        if (result) {
          // Null when the bucket's CORS rule does not expose ETag: the server
          // then completes from its own list of parts.
          etags[n] = result.xhr.getResponseHeader("ETag");
          stored += blob.size;
        }
        showProgress(stored, file.size);
      });
    }
    var chain = refresh();
    for (var n = 1; n <= state.part_count; n += 1) {
      chain = chain.then(sendPart.bind(null, n));
    }
    return chain.then(function () {
      say(text("Finishing"));
      var parts = Object.keys(etags)
        .map(Number)
        .sort(function (a, b) {
          return a - b;
        })
        .map(function (n) {
          return { part_number: n, etag: etags[n] };
        });
      var known = parts.every(function (part) {
        return part.etag;
      });
      return withRetries(function () {
        return api("POST", u.complete, known ? { parts: parts } : {});
      });
    });
  }

  function uploadLocal(file, state) {
    var u = urls(state.upload_id);
    var offset = state.offset || 0;
    function sendChunk() {
      if (offset >= file.size) {
        return Promise.resolve();
      }
      return withRetries(function () {
        var end = Math.min(offset + state.part_size, file.size);
        return put(
          u.chunk,
          file.slice(offset, end),
          {
            "Content-Range": "bytes " + offset + "-" + (end - 1) + "/" + file.size,
            "Content-Type": "application/octet-stream",
            "X-CSRFToken": d.csrfToken,
          },
          function (loaded) {
            showProgress(offset + loaded, file.size);
          }
        )
          .then(function (result) {
            return result.data.offset;
          })
          .catch(function (error) {
            // The server says where it stands: resume from there.
            if (error.status === 409 && error.data && typeof error.data.offset === "number") {
              return error.data.offset;
            }
            if (!retryable(error)) {
              throw error;
            }
            return api("GET", u.detail).then(function (fresh) {
              if (fresh.offset !== offset) {
                return fresh.offset; // part of the chunk arrived
              }
              throw error;
            });
          });
      }).then(function (next) {
        offset = next;
        showProgress(offset, file.size);
        return sendChunk();
      });
    }
    return sendChunk();
  }

  function poll(assetId) {
    var url = d.assetStatusUrl.replace(/\/0\/$/, "/" + assetId + "/");
    return api("GET", url)
      .then(function (asset) {
        bar.value = asset.progress;
        if (asset.status === "ready") {
          bar.value = 100;
          say(text("Ready"));
          done.hidden = false;
          return null;
        }
        if (asset.status === "failed") {
          say(text("Failed", { reason: asset.failure_reason }));
          done.hidden = false;
          return null;
        }
        say(text("Processing", { status: asset.status_display, percent: asset.progress + "%" }));
        return sleep(POLL_MS).then(function () {
          return poll(assetId);
        });
      })
      .catch(function () {
        // A lost poll is not a failure of the video: ask again.
        return sleep(POLL_MS * 2).then(function () {
          return poll(assetId);
        });
      });
  }

  function setBusy(value) {
    busy = value;
    startButton.disabled = value;
    fileInput.disabled = value;
    if (titleInput) {
      titleInput.disabled = value;
    }
    cancelButton.hidden = !value;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var file = fileInput.files[0];
    if (!file) {
      say(text("Choose"));
      panel.hidden = false;
      return;
    }
    if (Number(d.maxBytes) && file.size > Number(d.maxBytes)) {
      say(text("TooLarge"));
      panel.hidden = false;
      return;
    }
    cancelled = false;
    panel.hidden = false;
    done.hidden = true;
    bar.value = 0;
    setBusy(true);
    var key = storageKey(file);
    findUnfinished(file)
      .then(function (unfinished) {
        if (unfinished) {
          say(text("Resuming"));
          return unfinished;
        }
        return startUpload(file);
      })
      .then(function (state) {
        current = { id: state.upload_id };
        var upload = state.mode === "s3" ? uploadS3(file, state) : uploadLocal(file, state);
        return upload.then(function () {
          window.localStorage.removeItem(key);
          bar.value = 0;
          setBusy(false);
          startButton.disabled = true;
          return poll(state.asset_id);
        });
      })
      .catch(function (error) {
        setBusy(false);
        if (!cancelled) {
          say(text("UploadFailed", { reason: error.message }));
        }
      });
  });

  cancelButton.addEventListener("click", function () {
    cancelled = true;
    if (currentXhr) {
      currentXhr.abort();
    }
    var file = fileInput.files[0];
    if (file) {
      window.localStorage.removeItem(storageKey(file));
    }
    if (current) {
      api("DELETE", urls(current.id).detail).catch(function () {
        return null;
      });
      current = null;
    }
    bar.value = 0;
    say("");
    setBusy(false);
  });

  window.addEventListener("beforeunload", function (event) {
    if (busy) {
      event.preventDefault();
      event.returnValue = d.msgLeave;
    }
  });
})();
