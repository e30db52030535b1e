// The import commands' shapes, from the generated bindings, under the names
// the wizard uses.
import type {
  CsvColumnDto,
  CsvMappingDto,
  CsvSampleDto,
  EnvModeDto,
  GroupsAsDto,
  ImportChoicesInput,
} from "../../ipc/client";

export type {
  CsvColumnRole,
  ImportFile,
  ImportFormat,
  ImportOptions,
  ImportOutcome,
  ImportPreview,
  ImportReport,
  OnConflict,
  PreviewItem,
  PreviewJob,
  Unreadable,
} from "../../ipc/client";

export type CsvColumn = CsvColumnDto;
export type CsvMapping = CsvMappingDto;
/** The first rows (cells of secret columns masked by the shell) and a suggested mapping. */
export type CsvSample = CsvSampleDto;
export type GroupsAs = GroupsAsDto;
export type EnvMode = EnvModeDto;
/** What to do with conflicts, and the values write-only items need (fields by name). */
export type ImportChoices = ImportChoicesInput;
