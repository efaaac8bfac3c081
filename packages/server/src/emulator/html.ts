/** Escapes text for HTML content and quoted attributes, for the emulator's hosted pages. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`)
}
