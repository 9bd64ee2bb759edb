// Step-through: Play walks the cells one by one in row-major order (the output cells; the input
// cells in the scatter view, where each input is spread over the output), pinning each in turn
// so its formula stays on screen. Step moves one cell. With prefers-reduced-motion nothing moves
// by itself: Play is hidden and Step remains.

const REDUCED = "(prefers-reduced-motion: reduce)";

export class Walk {
  constructor(explorer) {
    this.explorer = explorer;
    const root = explorer.root;
    this.playButton = root.querySelector('[data-role="play"]');
    this.stepButton = root.querySelector('[data-role="step"]');
    this.speed = root.querySelector('[data-role="speed"]');
    this.timer = null;
    this.index = -1;
  }

  get playing() {
    return this.timer !== null;
  }

  bind() {
    this.playButton.addEventListener("click", () => (this.playing ? this.stop() : this.play()));
    this.stepButton.addEventListener("click", () => {
      this.stop();
      this.step();
    });
    this.speed.addEventListener("change", () => {
      if (this.playing) this.play();
    });
    const reduced = window.matchMedia(REDUCED);
    const apply = () => {
      this.playButton.hidden = reduced.matches;
      if (reduced.matches) this.stop();
    };
    apply();
    reduced.addEventListener("change", apply);
  }

  /** The grid walked in the current view and its size. */
  grid() {
    const m = this.explorer.model;
    if (!m) return null;
    return this.explorer.tab === "direct" ? { grid: "input", rows: m.h, cols: m.w } : { grid: "output", rows: m.H, cols: m.W };
  }

  step() {
    const g = this.grid();
    if (!g) return;
    const ex = this.explorer;
    // Continue from the pinned cell when it is on the walked grid (the reader may have clicked one).
    const pin = ex.pin;
    if (pin && pin.grid === g.grid) this.index = pin.row * g.cols + pin.col;
    this.index = (this.index + 1) % (g.rows * g.cols);
    ex.touched = true;
    ex.setPin({ grid: g.grid, row: Math.floor(this.index / g.cols), col: this.index % g.cols });
  }

  play() {
    window.clearInterval(this.timer);
    this.step();
    this.timer = window.setInterval(() => this.step(), Number(this.speed.value));
    this.playButton.textContent = "Pause";
    this.explorer.root.dataset.walking = "true";
  }

  stop() {
    if (this.timer === null) return;
    window.clearInterval(this.timer);
    this.timer = null;
    this.playButton.textContent = "Play";
    delete this.explorer.root.dataset.walking;
  }

  reset() {
    this.index = -1;
  }
}
