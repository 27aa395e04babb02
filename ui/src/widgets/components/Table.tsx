/**
 * Table, Table.Row and Table.Cell (declared by ChatKit.js only): a plain table; `header` rows
 * use `<th>` cells. Cells honour width, padding, colSpan/rowSpan, align and vAlign.
 */
import { Children, nodeKey } from "../render";
import { cls, defined, length, spacingStyle } from "../style";
import type { NodeOf } from "../types";
import { checkNode } from "../validate";
import { Placeholder } from "./Placeholder";

const TEXT_ALIGN = { start: "start", center: "center", end: "end" } as const;

function Cell({ node, header }: { node: NodeOf<"Table.Cell">; header: boolean }) {
  const Tag = header ? "th" : "td";
  return (
    <Tag
      className="ck-table-cell"
      colSpan={typeof node.colSpan === "number" ? node.colSpan : undefined}
      rowSpan={typeof node.rowSpan === "number" ? node.rowSpan : undefined}
      scope={header ? "col" : undefined}
      style={defined({
        width: length(node.width),
        textAlign: node.align ? TEXT_ALIGN[node.align] : undefined,
        verticalAlign: node.vAlign,
        ...spacingStyle(node.padding, "padding"),
      })}
    >
      <Children nodes={node.children} />
    </Tag>
  );
}

function Row({ node }: { node: NodeOf<"Table.Row"> }) {
  const header = node.header === true;
  return (
    <tr className={cls("ck-table-row", header && "ck-table-header")}>
      {node.children.map((raw: unknown, index) => {
        const checked = checkNode(raw);
        const key = nodeKey(raw, index);
        if (checked.ok && checked.node.type === "Table.Cell") return <Cell key={key} node={checked.node} header={header} />;
        return (
          <td key={key}>
            <Placeholder reason={checked.ok ? `${checked.node.type} in a Table.Row` : checked.reason} />
          </td>
        );
      })}
    </tr>
  );
}

export function Table({ node }: { node: NodeOf<"Table"> }) {
  return (
    <div className="ck-table-wrap">
      <table className="ck-table">
        <tbody>
          {node.children.map((raw: unknown, index) => {
            const checked = checkNode(raw);
            const key = nodeKey(raw, index);
            if (checked.ok && checked.node.type === "Table.Row") return <Row key={key} node={checked.node} />;
            return (
              <tr key={key}>
                <td>
                  <Placeholder reason={checked.ok ? `${checked.node.type} in a Table` : checked.reason} />
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
