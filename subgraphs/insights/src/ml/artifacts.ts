/**
 * Model artifacts on disk: a folder with model.json (topology + weights manifest, the layout
 * tfjs-converter and tf.loadLayersModel use) and weights.bin, written through tf.io.withSaveHandler
 * (model.save('file://') needs tfjs-node) and read back through tf.io.fromMemory. The folder is
 * written under a temporary name and renamed, so a reader never sees half an artifact.
 */
import * as tf from '@tensorflow/tfjs';
import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

export class ArtifactError extends Error {}

export interface SavedArtifact {
  sha256: string;
  weightBytes: number;
}

export async function saveArtifact(model: tf.LayersModel, dir: string): Promise<SavedArtifact> {
  const tmp = `${dir}.tmp-${randomUUID()}`;
  await mkdir(tmp, { recursive: true });
  let saved: SavedArtifact | null = null;
  try {
    await model.save(tf.io.withSaveHandler(async (artifacts) => {
      const weights = Buffer.from(tf.io.CompositeArrayBuffer.join(artifacts.weightData ?? new ArrayBuffer(0)));
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      await writeFile(join(tmp, 'model.json'), JSON.stringify(modelJson));
      await writeFile(join(tmp, 'weights.bin'), weights);
      saved = { sha256: createHash('sha256').update(weights).digest('hex'), weightBytes: weights.length };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weights.length } };
    }));
    await mkdir(dirname(dir), { recursive: true });
    await rm(dir, { recursive: true, force: true });
    await rename(tmp, dir);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  return saved!;
}

/** Loads a folder written by saveArtifact; with `sha256`, refuses weights that do not match it. */
export async function loadArtifact(dir: string, sha256?: string | null): Promise<tf.LayersModel> {
  let json: { modelTopology?: object; weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] };
  let weights: Buffer;
  try {
    json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    weights = await readFile(join(dir, 'weights.bin'));
  } catch (error) {
    throw new ArtifactError(`artifact ${dir} is missing or unreadable: ${(error as Error).message}`);
  }
  if (!json.modelTopology || !Array.isArray(json.weightsManifest)) throw new ArtifactError(`artifact ${dir}: model.json has no modelTopology/weightsManifest`);
  if (sha256 && createHash('sha256').update(weights).digest('hex') !== sha256) throw new ArtifactError(`artifact ${dir}: weights.bin does not match its recorded sha256 (corrupt?)`);
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer;
  try {
    return await tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
  } catch (error) {
    throw new ArtifactError(`artifact ${dir} does not load: ${(error as Error).message}`);
  }
}
