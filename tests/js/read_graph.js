#!/usr/bin/env node
// Parse a GraphML or GEXF file with the graphology parsers (those behind Gephi Lite) and
// print its nodes and edges with their attributes as JSON, for tests/test_exports_*.py.
// Usage: node read_graph.js graphml|gexf FILE
'use strict';
const fs = require('fs');
const Graph = require('graphology');
const parsers = { graphml: require('graphology-graphml'), gexf: require('graphology-gexf') };

const [format, file] = process.argv.slice(2);
if (!parsers[format] || !file) {
  process.stderr.write('usage: node read_graph.js graphml|gexf FILE\n');
  process.exit(2);
}
const graph = parsers[format].parse(Graph, fs.readFileSync(file, 'utf8'));
const out = { type: graph.type, multi: graph.multi, nodes: [], edges: [] };
graph.forEachNode((id, attributes) => out.nodes.push({ id, attributes }));
graph.forEachEdge((id, attributes, source, target) => out.edges.push({ id, source, target, attributes }));
process.stdout.write(JSON.stringify(out));
