import {task} from 'capsule';

/** `capsule run basic/hello --input '{"name":"Ada"}'` */
export const hello = task({name: 'hello', timeout: '10s'}, async (input: {name?: string}, ctx) => {
  ctx.log(`saying hello to ${input.name ?? 'world'}`);
  return {greeting: `Hello, ${input.name ?? 'world'}!`};
});
