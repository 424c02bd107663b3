/** Turns plain button specs into grammY inline keyboards (the only place that knows both). */
import { InlineKeyboard } from 'grammy';
import { encodeCallback } from './callback-data.js';
import type { ButtonSpec } from './progress-view.js';

export function inlineKeyboard(rows: ButtonSpec[][]): InlineKeyboard {
  const keyboard = new InlineKeyboard();
  rows.forEach((row, i) => {
    if (i > 0) keyboard.row();
    for (const b of row) keyboard.text(b.text, encodeCallback(b.action, b.id, b.arg));
  });
  return keyboard;
}

/** Shown under a freshly read link: the owner decides before any message goes to the external bot. */
export function linkPreviewButtons(jobId: number, notes = 0): ButtonSpec[][] {
  const rows: ButtonSpec[][] = [
    [
      { text: '▶️ Start', action: 'start', id: jobId },
      { text: '📋 List tracks', action: 'listTracks', id: jobId },
      { text: '✖️ Cancel', action: 'cancel', id: jobId },
    ],
  ];
  if (notes > 0) rows.push([{ text: `ℹ️ Notes (${notes})`, action: 'notes', id: jobId }]);
  return rows;
}

export function loginButtons(): ButtonSpec[][] {
  return [[{ text: '🔑 Log in', action: 'login', id: 0 }]];
}

export function qualityButtons(current: 'high' | 'max'): ButtonSpec[][] {
  return [
    [
      { text: `${current === 'high' ? '● ' : ''}High (16 bit)`, action: 'quality', id: 0 },
      { text: `${current === 'max' ? '● ' : ''}Max (up to 24 bit)`, action: 'quality', id: 1 },
    ],
  ];
}
