/**
 * tfjs-core's gradients (what tf.grad differentiates with) and its chained ops (tensor.slice(), .reshape(),
 * .square(), …). The CommonJS build of `@tensorflow/tfjs-core` that backend.ts loads registers neither: the
 * `@tensorflow/tfjs` umbrella did, from a copy of these modules inlined in its own bundle. These ES modules of
 * tfjs-core register them the same way, into the registries tfjs keeps in globals (gradients by kernel name,
 * methods on the global Tensor class), so they serve the tfjs-core loaded at run time: same version, same code as
 * the umbrella's. Node cannot load them from node_modules (ES syntax in a CommonJS package, imports without
 * extensions), so they are bundled: by esbuild into dist/ and the CLI (tools/build.mjs), by vitest in tests.
 *
 * They are evaluated when this package is imported (~40 ms), tfjs-core's CommonJS build and the backends only when a
 * tfjs landscape is used; so this copy usually comes first and creates the engine and the global Tensor class that
 * every copy of tfjs-core in the process then uses (tfjs keeps both in globals, first come first served). Its Tensor
 * class needs the op handler that tfjs-core's own entry point installs (tensor.clone(), .cast(), .buffer(), .print()):
 * installed below as tfjs-core's base_side_effects does. Loaded in the other order (tfjs-core first, as the umbrella
 * does), tfjs-core's own engine and Tensor class are used and the handler below is never called.
 */
import '@tensorflow/tfjs-core/dist/register_all_gradients';
import '@tensorflow/tfjs-core/dist/public/chained_ops/register_all_chained_ops';
import { buffer } from '@tensorflow/tfjs-core/dist/ops/buffer';
import { cast } from '@tensorflow/tfjs-core/dist/ops/cast';
import { clone } from '@tensorflow/tfjs-core/dist/ops/clone';
import { print } from '@tensorflow/tfjs-core/dist/ops/print';
import { setOpHandler } from '@tensorflow/tfjs-core/dist/tensor';

setOpHandler({ buffer, cast, clone, print });
