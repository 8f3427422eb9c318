// Preloaded in a service's Node processes (`--import` in NODE_OPTIONS, daemon/supervisor/service-env.ts).
import {register} from 'node:module';

register('./service-resolve-hooks.js', import.meta.url);
