import { useEffect, useState } from "react";

import { events, type HandedFile } from "../ipc/client";

// Files dropped on the window arrive from the shell as tokens. They are kept
// here until a screen (the register wizard) takes them.

type Listener = () => void;
let pending: HandedFile[] = [];
let hovering = false;
const listeners = new Set<Listener>();

function emit() {
  for (const listener of listeners) listener();
}

/** Takes (and clears) the files dropped so far. */
export function takeDroppedFiles(): HandedFile[] {
  const files = pending;
  pending = [];
  return files;
}

/** The files dropped so far, without taking them (to choose the screen that will). */
export function peekDroppedFiles(): readonly HandedFile[] {
  return pending;
}

export function useDrops(): { hovering: boolean; pending: number } {
  const [, force] = useState(0);
  useEffect(() => {
    const listener = () => force((n) => n + 1);
    listeners.add(listener);
    return () => {
      listeners.delete(listener);
    };
  }, []);
  return { hovering, pending: pending.length };
}

/** Starts listening to the shell's drop events; returns a stop function. */
export async function listenForDrops(onDrop: () => void): Promise<() => void> {
  const stopDrop = await events.filesDropped.listen((event) => {
    pending = [...pending, ...event.payload.files];
    hovering = false;
    emit();
    onDrop();
  });
  const stopHover = await events.dragHover.listen((event) => {
    hovering = event.payload.active;
    emit();
  });
  return () => {
    stopDrop();
    stopHover();
  };
}

/** For tests: pretend files were dropped. */
export function dropForTest(files: HandedFile[]): void {
  pending = [...pending, ...files];
  emit();
}
