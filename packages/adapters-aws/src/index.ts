export * from "./http/index.js";
export * from "./storage/index.js";
export * from "./triggers/index.js";
