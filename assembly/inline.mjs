// AssemblyScript transform (asconfig.json): every function of src/math/*.ts is compiled as if it carried
// `@inline`. Those files are also TypeScript, where a decorator on a function is an error, and the kernels'
// hot loops need exp and the activations inlined (as a call, exp alone costs a sigmoid step ~20 %).
import { Transform } from "assemblyscript/transform";
import { Node, NodeKind } from "assemblyscript";

export default class InlineMath extends Transform {
  afterParse(parser) {
    for (const source of parser.sources) {
      if (!source.normalizedPath.startsWith("src/math/")) continue;
      for (const statement of source.statements) {
        if (statement.kind !== NodeKind.FunctionDeclaration) continue;
        const inline = Node.createDecorator(Node.createIdentifierExpression("inline", statement.range), null, statement.range);
        statement.decorators = [...(statement.decorators ?? []), inline];
      }
    }
  }
}
