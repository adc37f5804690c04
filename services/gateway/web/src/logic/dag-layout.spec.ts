import { describe, expect, it } from '@jest/globals';
import { layoutDag, NODE } from './dag-layout.js';

describe('the stage graph layout', () => {
  it('puts parallel branches in one column, stacked, and joins them into the next', () => {
    const layout = layoutDag([
      { stageId: 'checkout', dependsOn: [] },
      { stageId: 'lint', dependsOn: ['checkout'] },
      { stageId: 'test', dependsOn: ['checkout'] },
      { stageId: 'deploy', dependsOn: ['lint', 'test'] },
    ]);
    const at = Object.fromEntries(layout.nodes.map((n) => [n.id, [n.column, n.row]]));
    expect(at).toEqual({ checkout: [0, 0], lint: [1, 0], test: [1, 1], deploy: [2, 0] });
    expect(layout.edges.map((e) => `${e.from}->${e.to}`).sort()).toEqual([
      'checkout->lint',
      'checkout->test',
      'lint->deploy',
      'test->deploy',
    ]);
    expect(layout.width).toBe(NODE.margin * 2 + 3 * NODE.width + 2 * NODE.columnGap);
    expect(layout.height).toBe(NODE.margin * 2 + 2 * NODE.height + NODE.rowGap);
  });

  it('draws each edge from the right side of one stage to the left side of the next', () => {
    const layout = layoutDag([
      { stageId: 'a', dependsOn: [] },
      { stageId: 'b', dependsOn: ['a'] },
    ]);
    const [a, b] = layout.nodes;
    const path = layout.edges[0]!.path;
    expect(path.startsWith(`M${a!.x + NODE.width},${a!.y + NODE.height / 2} `)).toBe(true);
    expect(path.endsWith(` ${b!.x},${b!.y + NODE.height / 2}`)).toBe(true);
  });

  it('ignores a dependency on a stage the execution does not have', () => {
    const layout = layoutDag([{ stageId: 'only', dependsOn: ['gone'] }]);
    expect(layout.nodes[0]).toMatchObject({ column: 0, row: 0 });
    expect(layout.edges).toEqual([]);
  });
});
