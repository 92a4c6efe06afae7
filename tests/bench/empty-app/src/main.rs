//! An empty Tauri window that answers one command: the floor ADO Connect is measured against.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

#[tauri::command]
fn ready() -> &'static str {
    "ready"
}

fn main() {
    tauri::Builder::default()
        .invoke_handler(tauri::generate_handler![ready])
        .run(tauri::generate_context!())
        .expect("error while running the empty window");
}
