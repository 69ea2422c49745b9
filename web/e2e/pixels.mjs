// Map pixels for the browser tests (viewer.mjs, manage.mjs): colours, the tile and pixel
// holding a place, and a PNG's pixel decoded by the browser.

// "#rrggbb" → [r, g, b].
export const rgb = (hex) => [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
export const colourDistance = (a, b) => Math.hypot(...a.map((c, i) => c - b[i]));

// The tile (x, y) at zoom z holding a longitude/latitude, and the pixel in it (256 px
// tiles, spherical Web Mercator), written out here rather than taken from MapLibre.
export function tileAt(lon, lat, z) {
  const size = 256 * 2 ** z;
  const s = Math.sin((lat * Math.PI) / 180);
  const px = ((lon + 180) / 360) * size;
  const py = (0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI)) * size;
  const x = Math.floor(px / 256), y = Math.floor(py / 256);
  return { x, y, px: px - x * 256, py: py - y * 256 };
}

// The colour of pixel (x, y) of a PNG, decoded by the browser.
export async function pngPixel(page, png, x, y) {
  return page.evaluate(async ([b64, x, y]) => {
    // Decoded from bytes, not fetched from a data: URL: the page's CSP allows connections
    // to its own origin only.
    const bytes = Uint8Array.from(atob(b64), (ch) => ch.charCodeAt(0));
    const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
    const c = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = c.getContext('2d');
    ctx.drawImage(bitmap, 0, 0);
    return Array.from(ctx.getImageData(x, y, 1, 1).data.slice(0, 3));
  }, [png.toString('base64'), Math.floor(x), Math.floor(y)]);
}
