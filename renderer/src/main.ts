import { mount } from 'svelte';
import App from './App.svelte';
import './styles.css';
import { compute } from './state/compute.svelte';

const target = document.getElementById('app');
if (!target) throw new Error('index.html has no #app element');
export default mount(App, { target });
// GPU training runs in a worker of this page; it connects to the engine in the background.
compute.start();
