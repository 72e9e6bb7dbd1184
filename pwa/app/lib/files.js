// Photos are made small on the phone before they wait for a connection: at most
// 1600 px on the long side, JPEG. Files are named by their SHA-256, as the server
// names blobs (docs/sync.md, Files).
import { keepFile } from "./sync.js";

export const MAX_PX = 1600;
const QUALITY = 0.85;

export async function sha256Hex(blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function downscale(file, maxPx = MAX_PX) {
  const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
  const scale = Math.min(1, maxPx / Math.max(bitmap.width, bitmap.height));
  const width = Math.round(bitmap.width * scale);
  const height = Math.round(bitmap.height * scale);
  const canvas = document.createElement("canvas");
  canvas.width = width;
  canvas.height = height;
  canvas.getContext("2d").drawImage(bitmap, 0, 0, width, height);
  bitmap.close();
  return new Promise((resolve, reject) =>
    canvas.toBlob((blob) => (blob ? resolve(blob) : reject(new Error("cannot encode"))), "image/jpeg", QUALITY),
  );
}

// Keep the file for upload; returns its name for the attach_file mutation.
export async function keep(blob, orderId) {
  const sha256 = await sha256Hex(blob);
  await keepFile(sha256, blob, orderId);
  return sha256;
}
