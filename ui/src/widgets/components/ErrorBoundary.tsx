/**
 * Catches a render error anywhere in a widget and shows a placeholder instead, so that one bad
 * widget never takes the thread down. A new `resetKey` (a new widget tree) tries again.
 */
import { Component, type ReactNode } from "react";

import { Placeholder } from "./Placeholder";

type Props = { resetKey: unknown; children: ReactNode };
type State = { error: Error | null; resetKey: unknown };

export class WidgetErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };

  static override getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(String(error)) };
  }

  static override getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return props.resetKey === state.resetKey ? null : { error: null, resetKey: props.resetKey };
  }

  override render() {
    if (this.state.error) {
      return (
        <div className="ck-widget">
          <Placeholder reason={`This widget could not be displayed: ${this.state.error.message}`} />
        </div>
      );
    }
    return this.props.children;
  }
}
