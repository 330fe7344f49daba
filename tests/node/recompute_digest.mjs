// Recomputes a published results digest as an outsider would, sharing no code with the platform:
// JSON.parse of the downloaded export, RFC 8785 by the npm package `canonicalize`, SHA-256 by Node.
// Usage: node recompute_digest.mjs results.json  ->  {"digest": "<hex>", "export_is_canonical": true|false}
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

const text = readFileSync(process.argv[2], 'utf8');
const canonical = canonicalize(JSON.parse(text));
const digest = createHash('sha256').update(canonical, 'utf8').digest('hex');
process.stdout.write(JSON.stringify({ digest, export_is_canonical: canonical === text }) + '\n');
