/**
 * Single-byte ASCII control codes that start or make up ESC/POS commands.
 * Named constants keep the command tables readable next to the Epson reference.
 */
export const ControlCode = {
  NUL: 0x00,
  EOT: 0x04,
  ENQ: 0x05,
  HT: 0x09,
  LF: 0x0a,
  FF: 0x0c,
  CR: 0x0d,
  DLE: 0x10,
  DC4: 0x14,
  ESC: 0x1b,
  FS: 0x1c,
  GS: 0x1d,
} as const;
