/**
 * Rendering one node of any type: the node is checked (`validate.ts`), then handed to the
 * component for its `type`. Components render their children through [`Children`], so the whole
 * tree goes through here, and a malformed or unknown node anywhere becomes a placeholder.
 */
import type { ReactNode } from "react";

import { Badge } from "./components/Badge";
import { Basic } from "./components/Basic";
import { FlexBox } from "./components/Box";
import { Button } from "./components/Button";
import { Card } from "./components/Card";
import { Chart } from "./components/Chart";
import { Checkbox } from "./components/Checkbox";
import { DatePicker } from "./components/DatePicker";
import { Divider } from "./components/Divider";
import { Form } from "./components/Form";
import { Icon } from "./components/Icon";
import { Image } from "./components/Image";
import { Input, Textarea } from "./components/Input";
import { ListView, ListViewItemRow } from "./components/ListView";
import { MarkdownBlock } from "./components/MarkdownBlock";
import { Placeholder } from "./components/Placeholder";
import { RadioGroup } from "./components/RadioGroup";
import { Select } from "./components/Select";
import { Spacer } from "./components/Spacer";
import { Table } from "./components/Table";
import { Caption, Label, Text, Title } from "./components/Text";
import { Transition } from "./components/Transition";
import { checkNode, isObject } from "./validate";

/** A React key for a child: its `key`, else its `id`, else its position. */
export function nodeKey(node: unknown, index: number): string {
  if (isObject(node)) {
    if (typeof node.key === "string") return `k:${node.key}`;
    if (typeof node.id === "string") return `i:${node.id}`;
  }
  return `#${index}`;
}

/** One node of any type. */
export function Node({ node }: { node: unknown }): ReactNode {
  const checked = checkNode(node);
  if (!checked.ok) return <Placeholder reason={checked.reason} />;
  const n = checked.node;
  switch (n.type) {
    case "Card":
      return <Card node={n} />;
    case "ListView":
      return <ListView node={n} />;
    case "ListViewItem":
      return <ListViewItemRow node={n} />;
    case "Basic":
      return <Basic node={n} />;
    case "Box":
    case "Row":
    case "Col":
      return <FlexBox node={n} />;
    case "Form":
      return <Form node={n} />;
    case "Text":
      return <Text node={n} />;
    case "Title":
      return <Title node={n} />;
    case "Caption":
      return <Caption node={n} />;
    case "Label":
      return <Label node={n} />;
    case "Markdown":
      return <MarkdownBlock node={n} />;
    case "Badge":
      return <Badge node={n} />;
    case "Button":
      return <Button node={n} />;
    case "Image":
      return <Image node={n} />;
    case "Icon":
      return <Icon node={n} />;
    case "Divider":
      return <Divider node={n} />;
    case "Spacer":
      return <Spacer node={n} />;
    case "Input":
      return <Input node={n} />;
    case "Textarea":
      return <Textarea node={n} />;
    case "Select":
      return <Select node={n} />;
    case "DatePicker":
      return <DatePicker node={n} />;
    case "Checkbox":
      return <Checkbox node={n} />;
    case "RadioGroup":
      return <RadioGroup node={n} />;
    case "Chart":
      return <Chart node={n} />;
    case "Transition":
      return <Transition node={n} />;
    case "Table":
      return <Table node={n} />;
    case "Table.Row":
    case "Table.Cell":
      return <Placeholder reason={`${n.type} outside a Table`} />;
  }
}

/** The children of a container, keyed. */
export function Children({ nodes }: { nodes: readonly unknown[] | null | undefined }): ReactNode {
  return (nodes ?? []).map((child, index) => <Node key={nodeKey(child, index)} node={child} />);
}
