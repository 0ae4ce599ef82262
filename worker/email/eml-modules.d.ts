// Raw .eml fixtures imported by the email tests (`import raw from "….eml?raw"`, Vite's raw import).
declare module "*.eml?raw" {
  const text: string;
  export default text;
}
