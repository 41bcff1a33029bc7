// The browser side of course_utils/widgets/view.py (FrameView): a <canvas> showing the
// dashboard's cached background (an image sent only when it changes) with the foreground
// drawn over it from drawing commands (course_utils/widgets/canvas.py, ``pack``).
//
// Model: background (bytes: WebP/PNG), overlay ({ops, xy, codes, images}), width, height,
// css_max_height.  After each paint the canvas' data-frame attribute counts up (the browser
// benchmark and tests watch it).

// Fonts the foreground's text uses, loaded once per page from the kernel (the same TrueType
// files matplotlib uses, so titles and legends keep the figure's font).
const FONTS = (globalThis.__courseUtilsFonts ??= { loaded: new Set(), pending: new Map() });

function pathOf(xy, codes, ref) {
  const [start, n, c0] = ref;
  const p = new Path2D();
  for (let i = 0; i < n; i++) {
    const code = codes[c0 + i], x = xy[2 * (start + i)], y = xy[2 * (start + i) + 1];
    if (code === 1) p.moveTo(x, y);
    else if (code === 2) p.lineTo(x, y);
    else if (code === 3) {                       // quadratic: this control point, then the end
      p.quadraticCurveTo(x, y, xy[2 * (start + i + 1)], xy[2 * (start + i + 1) + 1]);
      i += 1;
    } else if (code === 4) {                     // cubic: two control points, then the end
      const j = 2 * (start + i);
      p.bezierCurveTo(x, y, xy[j + 2], xy[j + 3], xy[j + 4], xy[j + 5]);
      i += 2;
    } else if (code === 79) p.closePath();
    else if (code === 0) break;
  }
  return p;
}

function strokeAndFill(ctx, op, path) {
  if (op.fill) { ctx.fillStyle = op.fill; ctx.fill(path); }
  if (op.stroke) {
    ctx.strokeStyle = op.stroke;
    ctx.lineWidth = op.lw;
    ctx.lineCap = op.cap;
    ctx.lineJoin = op.join;
    ctx.miterLimit = 10;
    if (op.dash) { ctx.setLineDash(op.dash); ctx.lineDashOffset = op.doff; } else ctx.setLineDash([]);
    ctx.stroke(path);
  }
}

function paintOverlay(ctx, msg) {
  const xy = new Float32Array(msg.xy.buffer, msg.xy.byteOffset, msg.xy.byteLength / 4);
  const codes = new Uint8Array(msg.codes.buffer, msg.codes.byteOffset, msg.codes.byteLength);
  for (const op of msg.ops) {
    ctx.save();
    if (op.clip) { ctx.beginPath(); ctx.rect(...op.clip); ctx.clip(); }
    if (op.clip_path) ctx.clip(pathOf(xy, codes, op.clip_path));
    if (op.kind === "path") {
      strokeAndFill(ctx, op, pathOf(xy, codes, op.path));
    } else if (op.kind === "markers") {
      const [start, n] = op.at;
      const marker = pathOf(xy, codes, op.path);
      for (let i = 0; i < n; i++) {
        ctx.setTransform(1, 0, 0, 1, xy[2 * (start + i)], xy[2 * (start + i) + 1]);
        strokeAndFill(ctx, op, marker);
      }
    } else if (op.kind === "text") {
      ctx.translate(op.x, op.y);
      if (op.angle) ctx.rotate(-op.angle * Math.PI / 180);
      ctx.font = `${op.px}px "${op.font}", "DejaVu Sans", sans-serif`;
      ctx.textBaseline = "alphabetic";
      ctx.textAlign = "left";
      ctx.fillStyle = op.color;
      ctx.fillText(op.text, 0, 0);
    } else if (op.kind === "image") {
      const buf = msg.images[op.image];
      const data = new ImageData(new Uint8ClampedArray(buf.buffer, buf.byteOffset, buf.byteLength), op.w, op.h);
      const tmp = document.createElement("canvas");
      tmp.width = op.w; tmp.height = op.h;
      tmp.getContext("2d").putImageData(data, 0, 0);
      ctx.globalAlpha = op.alpha;
      ctx.drawImage(tmp, op.x, op.y);
    }
    ctx.restore();
  }
}

function render({ model, el }) {
  const canvas = document.createElement("canvas");
  canvas.className = "course-frame";
  canvas.dataset.frame = "0";
  el.appendChild(canvas);
  const ctx = canvas.getContext("2d");
  let background = null, backgroundBytes = null, frames = 0;

  function size() {
    canvas.width = model.get("width");
    canvas.height = model.get("height");
    canvas.style.maxWidth = "100%";
    canvas.style.maxHeight = model.get("css_max_height") || "none";
    canvas.style.width = "auto";
    canvas.style.height = "auto";
    canvas.style.display = "block";
  }

  let received = null;                           // when the frame's message arrived
  function paint() {
    if (!background) return;
    const t0 = performance.now();
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.globalAlpha = 1;
    ctx.drawImage(background, 0, 0);
    const msg = model.get("overlay");
    if (msg && msg.ops) paintOverlay(ctx, msg);
    frames += 1;
    // (for benchmarks/bench_browser.py: the message's arrival and the paint's own time)
    canvas.dataset.received = String(received ?? t0);
    canvas.dataset.paintMs = (performance.now() - t0).toFixed(1);
    if (msg && msg.sent) canvas.dataset.transitMs = (Date.now() - msg.sent - (performance.now() - t0)).toFixed(1);
    if (msg && msg.since_change != null) canvas.dataset.kernelMs = msg.since_change.toFixed(1);
    if (msg && msg.render_ms != null) canvas.dataset.renderMs = msg.render_ms.toFixed(1);
    if (msg && msg.started_ms != null) canvas.dataset.startedMs = msg.started_ms.toFixed(1);
    if (msg && msg.cpu_ms != null) canvas.dataset.cpuMs = msg.cpu_ms.toFixed(1);
    received = null;
    canvas.shownFrame = { background: backgroundBytes, overlay: msg };   // (for the browser tests)
    canvas.dataset.frame = String(frames);
  }

  // fonts: ask the kernel for any this frame names that the page has not loaded yet
  function fontsReady() {
    const msg = model.get("overlay");
    const missing = [...new Set((msg && msg.ops || []).filter(o => o.kind === "text").map(o => o.font))]
      .filter(f => !FONTS.loaded.has(f) && !FONTS.pending.has(f));
    for (const f of missing) {
      FONTS.pending.set(f, true);
      model.send({ font: f });
    }
  }
  model.on("msg:custom", (content, buffers) => {
    if (!content || !content.font || !buffers || !buffers.length) return;
    const b = buffers[0];
    const bytes = b instanceof DataView ? b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) : b;
    const face = new FontFace(content.font, bytes);
    face.load().then(f => {
      document.fonts.add(f);
      FONTS.loaded.add(content.font);
      FONTS.pending.delete(content.font);
      paint();                                   // the same frame again, in the right font
    }, () => FONTS.pending.delete(content.font));
  });

  // a new background is decoded first (async); a frame is painted once it is there
  let decoding = Promise.resolve(), inFlight = false, queued = false;
  function newBackground() {
    const bytes = model.get("background");
    if (!bytes || !bytes.byteLength || bytes === backgroundBytes) return false;
    backgroundBytes = bytes;
    const type = model.get("format") === "png" ? "image/png" : "image/webp";
    inFlight = true;
    decoding = createImageBitmap(new Blob([bytes], { type })).then(bitmap => {
      if (backgroundBytes !== bytes) { bitmap.close(); return; }   // a newer one came meanwhile
      if (background && background.close) background.close();
      background = bitmap;
      inFlight = false;
    }, () => { inFlight = false; });
    return true;
  }

  // background and overlay often change in one message: one update for both
  function update() {
    received ??= performance.now();
    if (queued) return;
    queued = true;
    queueMicrotask(() => {
      queued = false;
      fontsReady();
      if (newBackground() || inFlight) decoding.then(paint); else paint();
    });
  }

  size();
  model.on("change:width", () => { size(); paint(); });
  model.on("change:height", () => { size(); paint(); });
  model.on("change:css_max_height", size);
  model.on("change:background", update);
  model.on("change:overlay", update);
  update();
  return () => { if (background && background.close) background.close(); };
}

export default { render };
