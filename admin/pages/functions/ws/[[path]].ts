// Every /ws/* socket of the admin goes to the Worker.
export { forward as onRequest } from "../../forward";
