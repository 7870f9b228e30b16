// Entry point: mounts the Svelte app (DESIGN.md "App").

import { mount } from 'svelte';
import App from './App.svelte';
import './style.css';

const target = document.getElementById('app')!;
target.replaceChildren();
mount(App, { target });
