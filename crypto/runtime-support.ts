// No import of OpenPGP.js here: the check must run where OpenPGP.js itself cannot even load.

/** What this JavaScript runtime lets OpenPGP.js do, checked before anything is typed or sent. */
export interface RuntimeSupport {
  /** OpenPGP.js can make keys and encrypt here (WebCrypto, BigInt, web streams). */
  canEncrypt: boolean;
  /** Argon2 S2K can run here: it is WebAssembly, which Tor Browser's "Safer" level and V8 without JIT leave out. */
  argon2: boolean;
  /** When `canEncrypt` is false: why, in words a reporter can act on. */
  missing?: string;
}

// The smallest valid WebAssembly module: the magic number and version 1, nothing else.
const EMPTY_MODULE = new Uint8Array([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]);

/**
 * Checks, synchronously and without side effects, what OpenPGP.js needs. WebAssembly is tried by
 * compiling and instantiating a module, since a runtime may expose the object and still refuse
 * to run code in it.
 */
export function runtimeSupport(scope: typeof globalThis = globalThis): RuntimeSupport {
  const webCrypto =
    typeof scope.crypto?.subtle?.digest === 'function' && typeof scope.crypto.getRandomValues === 'function';
  const rest =
    typeof scope.BigInt === 'function' &&
    typeof scope.TextEncoder === 'function' &&
    typeof scope.ReadableStream === 'function' &&
    typeof scope.TransformStream === 'function';
  const argon2 = canRunWebAssembly(scope);
  if (!webCrypto)
    return {
      canEncrypt: false,
      argon2,
      missing:
        'This browser does not offer the Web Cryptography API that encryption needs (it may be switched off, or the page was not opened over a secure connection).',
    };
  if (!rest)
    return {
      canEncrypt: false,
      argon2,
      missing: 'This browser lacks features that encryption needs (BigInt or web streams); it may be too old.',
    };
  return { canEncrypt: true, argon2 };
}

function canRunWebAssembly(scope: typeof globalThis): boolean {
  try {
    const wasm = (scope as { WebAssembly?: typeof WebAssembly }).WebAssembly;
    if (typeof wasm?.Module !== 'function') return false;
    return new wasm.Instance(new wasm.Module(EMPTY_MODULE)) instanceof wasm.Instance;
  } catch {
    return false;
  }
}
