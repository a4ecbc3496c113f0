import { Component, type ErrorInfo, type ReactNode } from 'react';

interface Props {
  /** What to show instead of the broken part. */
  fallback: (error: unknown, retry: () => void) => ReactNode;
  /** When any of these change, the boundary tries again (e.g. new content arrived). */
  resetKeys?: readonly unknown[];
  children: ReactNode;
}

interface State {
  error: unknown;
  keys: readonly unknown[];
}

/** Keeps one bad item or section from taking the whole page down. */
export class ErrorBoundary extends Component<Props, State> {
  state: State = { error: null, keys: this.props.resetKeys ?? [] };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error ?? new Error('unknown') };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    const keys = props.resetKeys ?? [];
    const changed = keys.length !== state.keys.length || keys.some((k, i) => !Object.is(k, state.keys[i]));
    return changed ? { keys, error: null } : null;
  }

  componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('Part of the page could not be shown', error, info.componentStack);
  }

  private retry = () => this.setState({ error: null });

  render() {
    if (this.state.error) return this.props.fallback(this.state.error, this.retry);
    return this.props.children;
  }
}
