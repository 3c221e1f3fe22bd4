// Which view is in front. Views and panels may send the person elsewhere (the transfer panel to
// Inspect its new run); the header's tabs show it.
export type View = 'data' | 'build' | 'train' | 'inspect' | 'tune';

class Navigation {
  view = $state<View>('train');

  go(view: View): void {
    this.view = view;
  }
}

export const navigation = new Navigation();
