import { useEffect, useEffectEvent } from "react";

import type { HandedFile } from "../../ipc/client";
import { takeDroppedFiles, useDrops } from "../../lib/drops";

/** Hands files dropped on the window to `onFiles` while `active` (the step on screen). */
export function useDroppedFiles(active: boolean, onFiles: (files: HandedFile[]) => void) {
  const { pending } = useDrops();
  const deliver = useEffectEvent((files: HandedFile[]) => onFiles(files));
  useEffect(() => {
    if (!active || pending === 0) return;
    const files = takeDroppedFiles();
    if (files.length) deliver(files);
  }, [active, pending]);
}
