#!/usr/bin/env node
/** Print the OpenAPI 3.1 document (for docs): `node --conditions=source --import tsx src/openapi-cli.ts [serverUrl]`. */
import { buildOpenApiDocument } from './http/openapi.js';

const serverUrl = process.argv[2];
process.stdout.write(`${JSON.stringify(buildOpenApiDocument(serverUrl ? { serverUrl } : {}), null, 2)}\n`);
