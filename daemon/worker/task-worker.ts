// Placeholder entry point: its owner replaces it.
export {};
