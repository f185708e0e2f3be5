// Types of skin-preview.js. Result types come from the engine's own serde types,
// generated into pkg/skin_preview.d.ts by wasm-bindgen and tsify.
import type { Report, PlanResult, PlanRequest, Profile, ColourSummary, Sharpness } from './pkg/skin_preview.js';

export type { Report, PlanResult, PlanRequest, Profile };

/** Stable error codes: decode refusals, plan and session errors, and faults. */
export type ErrorCode =
  | 'empty' | 'too-large' | 'unsupported-format' | 'not-an-image' | 'corrupt' | 'bad-pixels'
  | 'face-model' | 'invalid-profile' | 'no-evidence' | 'not-analysed' | 'bad-mask'
  | 'bad-white-point' | 'unknown-map' | 'bad-option' | 'closed' | 'refused' | 'internal';

/** An engine refusal (`fault` false) or a fault after which the engine restarted. */
export class EngineError extends Error {
  readonly code: ErrorCode;
  readonly fault: boolean;
  readonly recovered: boolean;
}

/** How a user's mask combines with the automatic one. */
export type MaskMode = 'narrow' | 'replace';

/** The 8-bit maps of an analysis, one byte a pixel. */
export interface Maps {
  skin: Uint8Array;
  pigment: Uint8Array;
  redness: Uint8Array;
  texture: Uint8Array;
  zones?: Uint8Array;
}

/** A plan's result with the rendered frame. */
export type Projected = PlanResult & { bitmap: ImageBitmap };

export interface Session {
  readonly width: number;
  readonly height: number;
  readonly summary: ColourSummary;
  readonly quality: Sharpness;
  /** The photo as decoded. */
  readonly bitmap: ImageBitmap;
  analyze(options?: { mask?: Uint8Array | null; maskMode?: MaskMode }): Promise<{ report: Report; maps: Maps }>;
  project(plan: PlanRequest): Promise<Projected>;
  project(plan: PlanRequest, other: PlanRequest): Promise<[Projected, Projected]>;
  /** Uses a clinic's evidence profile (JSON text), or the built-in one with null. */
  useProfile(json?: string | null): Promise<Profile>;
  close(): void;
}

/** Decodes a photo (JPEG, PNG, WebP; AVIF where the browser decodes it). */
export function open(photo: Blob | ArrayBuffer, options?: { name?: string }): Promise<Session>;
