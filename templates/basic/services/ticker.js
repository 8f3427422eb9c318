// A stand-in for a long-running worker: prints a heartbeat and stops cleanly on SIGTERM.
const interval = setInterval(() => console.log(`tick ${new Date().toISOString()}`), 5000);
console.log('ticker started');
process.on('SIGTERM', () => {
  clearInterval(interval);
  console.log('ticker stopping');
});
