// AssemblyScript transform (package.json's build:wasm): every exported function of src/math/*.ts is compiled as
// if it carried `@inline`. Those files are also TypeScript, where a decorator on a function is an error, and the
// kernels' hot loops need the formulas inlined (as calls, they cost mlp-sgd ~20 %). Unexported helpers, such as
// exp's path for |x| > 700, are left to the optimizer, which keeps the large rare ones out of the loops.
import { Transform } from "assemblyscript/transform";
import { CommonFlags, Node, NodeKind } from "assemblyscript";

export default class InlineMath extends Transform {
  afterParse(parser) {
    for (const source of parser.sources) {
      if (!source.normalizedPath.startsWith("src/math/")) continue;
      for (const statement of source.statements) {
        if (statement.kind !== NodeKind.FunctionDeclaration || !(statement.flags & CommonFlags.Export)) continue;
        const inline = Node.createDecorator(Node.createIdentifierExpression("inline", statement.range), null, statement.range);
        statement.decorators = [...(statement.decorators ?? []), inline];
      }
    }
  }
}
